// The explorer's only way to the data: POST /graphql, like any other client.

export async function graphql(query, variables = {}) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json().catch(() => null);
  if (!body || body.errors?.length) {
    const message = body?.errors?.map((error) => error.message).join("; ") || response.statusText;
    throw new Error(message || `HTTP ${response.status}`);
  }
  return body.data;
}

// A small element builder: el("a", { href: "/x", class: "link" }, "text", child, ...).
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat(Infinity).filter((child) => child !== null && child !== undefined));
  return node;
}

// Scores are in [0, 1]: the same three colours everywhere a score or bucket is shown.
export function scoreClass(score) {
  if (score === null || score === undefined) return "score-none";
  if (score >= 0.8) return "score-good";
  if (score >= 0.5) return "score-fair";
  return "score-poor";
}

export function formatNumber(value) {
  if (value === null || value === undefined) return "—";
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
}

export function formatTime(value) {
  return value ? new Date(value).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : "—";
}

export const ENTITY_TYPES = [
  ["FEATURE_SOURCE", "FeatureSource"],
  ["LOGICAL_FEATURE", "LogicalFeature"],
  ["TRAINING_DATASET", "TrainingDataset"],
  ["MODEL_SOURCE", "ModelSource"],
  ["WORKFLOW_RUN", "WorkflowRun"],
  ["MODEL_BINARY", "ModelBinary"],
  ["MODEL_DEPLOYMENT", "ModelDeployment"],
];
