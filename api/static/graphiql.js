// GraphiQL with the explorer plugin, every asset served by aigraph itself (api/static/vendor/).
// The query and variables being edited live in the URL (`q`, `variables`) so a view can be
// shared; `?query=` is left alone because GET /graphql executes it. Headers stay out of the URL:
// they carry tokens.

const EXAMPLE_QUERY = `# aigraph GraphiQL: run with Ctrl-Enter, complete with Ctrl-Space,
# browse the schema with the book icon (every type and field is described).
#
# Where did this deployment's model come from? Its upstream lineage: binaries,
# the run that trained them, the model source, datasets, features and raw sources.
#
# Reads need no token. Mutations (ingest, deleteEntities) need a write token:
# create one with \`aigraph token create --scope write\`, then open "Headers"
# below and enter:  {"Authorization": "Bearer <your token>"}
query DeploymentLineage {
  lineage(key: "dep/00001-0", direction: UPSTREAM, depth: 6) {
    root { __typename key name }
    truncated
    nodes {
      distance
      entity { __typename key name system owner { key name } }
    }
    edges { kind source { key } target { key } }
  }
}
`;

const parameters = Object.fromEntries(new URLSearchParams(window.location.search));

function updateURL(changes) {
  Object.assign(parameters, changes);
  const kept = Object.entries(parameters).filter(([, value]) => Boolean(value));
  history.replaceState(null, "", "?" + new URLSearchParams(kept).toString());
}

const fetcher = GraphiQL.createFetcher({ url: new URL("/graphql", window.location.href).href });
const explorer = GraphiQLPluginExplorer.explorerPlugin();

function App() {
  return React.createElement(GraphiQL, {
    fetcher,
    plugins: [explorer],
    defaultQuery: EXAMPLE_QUERY,
    query: parameters.q,
    variables: parameters.variables,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: "headers",
    onEditQuery: (q) => updateURL({ q }),
    onEditVariables: (variables) => updateURL({ variables }),
  });
}

ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(App));
