// A layered lineage drawing in plain SVG: the root in the middle column, upstream nodes to the
// left and downstream nodes to the right, one column per hop of distance.

const SVG = "http://www.w3.org/2000/svg";
const NODE_WIDTH = 184;
const NODE_HEIGHT = 38;
const COLUMN_GAP = 56;
const ROW_GAP = 12;
const PADDING = 16;

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function truncate(text, length) {
  return text.length > length ? text.slice(0, length - 1) + "…" : text;
}

// Columns by signed distance; within a column, nodes sit near the mean row of their neighbours
// in the column next to it toward the root, so edges cross less.
function layout(nodes, edges) {
  const neighbours = new Map(nodes.map((node) => [node.key, []]));
  for (const edge of edges) {
    neighbours.get(edge.source)?.push(edge.target);
    neighbours.get(edge.target)?.push(edge.source);
  }
  const columns = new Map();
  for (const node of nodes) {
    if (!columns.has(node.column)) columns.set(node.column, []);
    columns.get(node.column).push(node);
  }
  const row = new Map();
  const order = [...columns.keys()].sort((a, b) => Math.abs(a) - Math.abs(b) || a - b);
  for (const column of order) {
    const members = columns.get(column);
    const wanted = (node) => {
      const placed = neighbours.get(node.key).filter((key) => row.has(key)).map((key) => row.get(key));
      return placed.length ? placed.reduce((a, b) => a + b, 0) / placed.length : Infinity;
    };
    members.sort((a, b) => wanted(a) - wanted(b) || a.type.localeCompare(b.type) || a.key.localeCompare(b.key));
    const offset = (members.length - 1) / 2;
    members.forEach((node, index) => row.set(node.key, index - offset));
  }
  const minColumn = Math.min(...columns.keys());
  const minRow = Math.min(...row.values());
  const position = new Map();
  for (const node of nodes) {
    position.set(node.key, {
      x: PADDING + (node.column - minColumn) * (NODE_WIDTH + COLUMN_GAP),
      y: PADDING + (row.get(node.key) - minRow) * (NODE_HEIGHT + ROW_GAP),
    });
  }
  return position;
}

// nodes: [{key, name, type, column}] (the root has column 0); edges: [{source, target, kind}].
export function drawLineage(container, rootKey, nodes, edges, onSelect) {
  const position = layout(nodes, edges);
  const xs = [...position.values()].map((p) => p.x);
  const ys = [...position.values()].map((p) => p.y);
  const width = Math.max(...xs) + NODE_WIDTH + PADDING;
  const height = Math.max(...ys) + NODE_HEIGHT + PADDING;
  const drawing = svg("svg", {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    class: "lineage",
    role: "img",
    "aria-label": `Lineage of ${rootKey}`,
  });
  drawing.append(
    svg(
      "defs",
      {},
      svg(
        "marker",
        { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto" },
        svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }),
      ),
    ),
  );
  const edgeLayer = svg("g", { class: "edges" });
  for (const edge of edges) {
    const from = position.get(edge.source);
    const to = position.get(edge.target);
    if (!from || !to) continue;
    const x1 = from.x + NODE_WIDTH;
    const y1 = from.y + NODE_HEIGHT / 2;
    const x2 = to.x;
    const y2 = to.y + NODE_HEIGHT / 2;
    const bend = Math.max(40, Math.abs(x2 - x1) / 2);
    const path = svg("path", {
      d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
      class: `edge edge-${edge.kind.toLowerCase()}`,
      "marker-end": "url(#arrow)",
    });
    path.append(svg("title", {}, `${edge.source} ${edge.kind} ${edge.target}`));
    edgeLayer.append(path);
  }
  const nodeLayer = svg("g", { class: "nodes" });
  for (const node of nodes) {
    const { x, y } = position.get(node.key);
    const isRoot = node.key === rootKey;
    const group = svg("g", {
      class: `node type-${node.type}${isRoot ? " root" : ""}`,
      "data-key": node.key,
      transform: `translate(${x},${y})`,
      tabindex: 0,
      role: "link",
    });
    group.append(
      svg("title", {}, `${node.type} ${node.key}\n${node.name}`),
      svg("rect", { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6 }),
      svg("text", { x: 10, y: 16, class: "name" }, truncate(node.name, 23)),
      svg("text", { x: 10, y: 30, class: "key" }, truncate(`${node.type} · ${node.key}`, 31)),
    );
    if (!isRoot) {
      group.addEventListener("click", () => onSelect(node.key));
      group.addEventListener("keydown", (event) => {
        if (event.key === "Enter") onSelect(node.key);
      });
    }
    nodeLayer.append(group);
  }
  drawing.append(edgeLayer, nodeLayer);
  container.replaceChildren(drawing);
}
