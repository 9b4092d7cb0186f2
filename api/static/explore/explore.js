// /explore?key=KEY&direction=BOTH&depth=2&types=MODEL_BINARY,...&limit=N: one entity, its metrics and
// scorecard, and its lineage. The URL is the state: re-rooting pushes a history entry and the
// back button (popstate) renders the entry it returns to.

import { ENTITY_TYPES, el, formatNumber, formatTime, graphql, scoreClass } from "./api.js";
import { drawLineage } from "./graph.js";
import { attachSearch } from "./search.js";

const DEFAULTS = { direction: "BOTH", depth: 2, limit: 1000 };

const ENTITY_QUERY = `
query Explore($key: String!, $direction: LineageDirection!, $depth: Int!, $types: [EntityType!],
              $limit: Int!, $both: Boolean!) {
  entity(key: $key) {
    __typename key name system createdAt updatedAt properties
    owner { key name }
    metrics { metric { key name unit } value bucket score }
    ... on FeatureSource { kind uri }
    ... on LogicalFeature { description }
    ... on TrainingDataset { rowCount }
    ... on ModelSource { purpose repository }
    ... on WorkflowRun { runStatus: status startedAt finishedAt }
    ... on ModelBinary { version }
    ... on ModelDeployment { environment region deploymentStatus: status deployedAt: startedAt }
  }
  lineage(key: $key, direction: $direction, depth: $depth, types: $types, limit: $limit) {
    truncated
    nodes { distance entity { __typename key name } }
    edges { kind source { key } target { key } }
  }
  upstream: lineage(key: $key, direction: UPSTREAM, depth: $depth, types: $types, limit: $limit)
    @include(if: $both) {
    nodes { distance entity { key } }
  }
}`;

const SCORE_FIELDS = "name weight score bucket metric { metric { key name } value bucket }";
const SCORECARD_QUERY = `
query Scorecard($key: String!) {
  scorecard(key: $key, framework: "model_maturity") {
    ${SCORE_FIELDS}
    children { ${SCORE_FIELDS} children { ${SCORE_FIELDS} children { ${SCORE_FIELDS} } } }
  }
}`;

const OWN_FIELDS = [
  ["kind", "kind"], ["uri", "URI"], ["description", "description"], ["rowCount", "rows"],
  ["purpose", "purpose"], ["repository", "repository"], ["runStatus", "status"],
  ["startedAt", "started"], ["finishedAt", "finished"], ["version", "version"],
  ["environment", "environment"], ["region", "region"], ["deploymentStatus", "status"],
  ["deployedAt", "deployed"],
];

const $ = (id) => document.getElementById(id);

function readState() {
  const params = new URLSearchParams(window.location.search);
  const depth = Number.parseInt(params.get("depth") ?? "", 10);
  const direction = params.get("direction");
  const types = params.get("types");
  const limit = Number.parseInt(params.get("limit") ?? "", 10);
  return {
    key: params.get("key"),
    direction: ["BOTH", "UPSTREAM", "DOWNSTREAM"].includes(direction) ? direction : DEFAULTS.direction,
    depth: depth >= 1 && depth <= 6 ? depth : DEFAULTS.depth,
    types: types ? types.split(",").filter((type) => ENTITY_TYPES.some(([name]) => name === type)) : null,
    limit: limit >= 1 && limit <= DEFAULTS.limit ? limit : DEFAULTS.limit,
  };
}

function stateURL(state) {
  const params = new URLSearchParams({ key: state.key });
  if (state.direction !== DEFAULTS.direction) params.set("direction", state.direction);
  if (state.depth !== DEFAULTS.depth) params.set("depth", String(state.depth));
  if (state.types) params.set("types", state.types.join(","));
  if (state.limit !== DEFAULTS.limit) params.set("limit", String(state.limit));
  return `/explore?${params}`;
}

function navigate(changes, { replace = false } = {}) {
  const state = { ...readState(), ...changes };
  if (replace) history.replaceState(null, "", stateURL(state));
  else history.pushState(null, "", stateURL(state));
  render();
}

function badge(label, score, title) {
  return el("span", { class: `badge ${scoreClass(score)}`, title }, label);
}

function renderSummary(entity) {
  const rows = [
    ["type", entity.__typename],
    ["owner", entity.owner ? `${entity.owner.name} (${entity.owner.key})` : "—"],
    ["system", entity.system ?? "—"],
    ["created", formatTime(entity.createdAt)],
    ["updated", formatTime(entity.updatedAt)],
  ];
  for (const [field, label] of OWN_FIELDS) {
    if (entity[field] === undefined || entity[field] === null) continue;
    const value = field.endsWith("At") ? formatTime(entity[field]) : String(entity[field]);
    rows.push([label, value]);
  }
  const properties = Object.entries(entity.properties ?? {});
  $("summary").replaceChildren(
    el("h1", {}, entity.name, " ", el("small", { class: "key" }, entity.key)),
    el("dl", { class: "facts" }, rows.map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)])),
    properties.length
      ? el(
          "details",
          { open: true, class: "properties" },
          el("summary", {}, `properties (${properties.length})`),
          el("dl", { class: "facts" }, properties.map(([name, value]) => [
            el("dt", {}, name),
            el("dd", {}, typeof value === "string" ? value : JSON.stringify(value)),
          ])),
        )
      : "",
  );
}

function formatValue(result) {
  const unit = result.metric.unit;
  if (result.value === null || !unit || unit === "bool") return formatNumber(result.value);
  return `${formatNumber(result.value)} ${unit}`;
}

function renderMetrics(metrics) {
  const badges = metrics.map((result) =>
    el(
      "div",
      { class: "metric" },
      el("span", { class: "metric-name", title: result.metric.key }, result.metric.name),
      badge(result.bucket ?? "NO DATA", result.score, result.score === null ? "no score" : `score ${result.score}`),
      el("span", { class: "metric-value" }, formatValue(result)),
    ),
  );
  $("metrics").replaceChildren(...(badges.length ? badges : [el("p", { class: "muted" }, "No metrics apply.")]));
}

function scoreTree(node) {
  const detail = node.metric
    ? el("span", { class: "muted" }, ` ${node.metric.metric.name}: ${formatNumber(node.metric.value)}`)
    : null;
  return el(
    "li",
    {},
    el("span", { class: "score-name" }, node.name),
    node.weight !== 1 ? el("span", { class: "muted" }, ` ×${node.weight}`) : null,
    " ",
    badge(node.bucket ?? "NO DATA", node.score, node.score === null ? "no score" : `score ${formatNumber(node.score)}`),
    detail,
    node.children?.length ? el("ul", {}, node.children.map(scoreTree)) : null,
  );
}

async function renderScorecard(key) {
  const data = await graphql(SCORECARD_QUERY, { key });
  $("scorecard").replaceChildren(data.scorecard ? el("ul", { class: "tree" }, scoreTree(data.scorecard)) : el("p", {}, "No scorecard."));
  $("scorecard-panel").hidden = false;
}

// Each node goes in one column: its signed distance (upstream negative). In BOTH, a node that is
// also upstream goes left at its upstream distance, unless it is nearer downstream.
function lineageColumns(state, root, lineage, upstream) {
  const upstreamDistance = new Map((upstream?.nodes ?? []).map((node) => [node.entity.key, node.distance]));
  const nodes = [{ key: root.key, name: root.name, type: root.__typename, column: 0 }];
  for (const { distance, entity } of lineage.nodes) {
    let column = state.direction === "UPSTREAM" ? -distance : distance;
    if (state.direction === "BOTH" && upstreamDistance.get(entity.key) === distance) column = -distance;
    nodes.push({ key: entity.key, name: entity.name, type: entity.__typename, column });
  }
  const edges = lineage.edges.map((edge) => ({ source: edge.source.key, target: edge.target.key, kind: edge.kind }));
  return { nodes, edges };
}

function renderControls(state) {
  const form = $("controls");
  form.direction.value = state.direction;
  form.depth.value = String(state.depth);
  for (const box of form.querySelectorAll("input[name=type]")) {
    box.checked = !state.types || state.types.includes(box.value);
  }
}

function setupControls() {
  const form = $("controls");
  for (let depth = 1; depth <= 6; depth += 1) form.depth.append(el("option", { value: depth }, String(depth)));
  for (const [name, label] of ENTITY_TYPES) {
    document.getElementById("types").append(el("label", {}, el("input", { type: "checkbox", name: "type", value: name, checked: true }), label));
  }
  form.addEventListener("change", () => {
    const checked = [...form.querySelectorAll("input[name=type]:checked")].map((box) => box.value);
    navigate(
      {
        direction: form.direction.value,
        depth: Number(form.depth.value),
        types: checked.length === ENTITY_TYPES.length ? null : checked,
      },
      { replace: true },
    );
  });
}

let rendering = 0;

async function render() {
  const state = readState();
  const ticket = ++rendering;
  $("welcome").hidden = Boolean(state.key);
  $("entity").hidden = !state.key;
  if (!state.key) return;
  $("status").textContent = `Loading ${state.key}…`;
  renderControls(state);
  try {
    const data = await graphql(ENTITY_QUERY, { ...state, both: state.direction === "BOTH" });
    if (ticket !== rendering) return;
    if (!data.entity) throw new Error(`no entity has the key ${state.key}`);
    document.title = `${data.entity.name} · aigraph`;
    renderSummary(data.entity);
    renderMetrics(data.entity.metrics);
    $("scorecard-panel").hidden = true;
    if (data.entity.__typename === "ModelSource") await renderScorecard(state.key);
    if (ticket !== rendering) return;
    const { nodes, edges } = lineageColumns(state, data.entity, data.lineage, data.upstream);
    $("truncated").hidden = !(data.lineage.truncated || data.upstream?.truncated);
    drawLineage($("lineage"), state.key, nodes, edges, (key) => navigate({ key }));
    $("status").textContent = "";
  } catch (error) {
    if (ticket !== rendering) return;
    $("status").textContent = `Could not load ${state.key}: ${error.message}`;
  }
}

setupControls();
attachSearch($("search"), $("query"), $("results"));
window.addEventListener("popstate", render);
render();
