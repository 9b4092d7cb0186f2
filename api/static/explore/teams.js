// /explore/teams[?under=TEAM]: the model_maturity rollup and the retraining_recency_days rollup
// over the team hierarchy, one row per team with its entities' buckets as a stacked bar.

import { el, formatNumber, graphql, scoreClass } from "./api.js";
import { attachSearch } from "./search.js";

const NODE_FIELDS = "team { key name } entityCount meanScore buckets { label count }";
// Six levels: the root and five levels of teams (org > group > team > squad and one more).
const TREE = [1, 2, 3, 4, 5].reduce((inner) => `${NODE_FIELDS} children { ${inner} }`, NODE_FIELDS);

const TEAMS_QUERY = `
query TeamHealth($under: String) {
  maturity: rollup(framework: "model_maturity", under: $under) { ${TREE} }
  retraining: metricRollup(metric: "retraining_recency_days", under: $under) { ${TREE} }
  metricDefinitions { key buckets { label score } }
}`;

const $ = (id) => document.getElementById(id);

function bucketScores(definitions) {
  const scores = new Map();
  for (const definition of definitions) {
    for (const bucket of definition.buckets) if (!scores.has(bucket.label)) scores.set(bucket.label, bucket.score);
  }
  return scores;
}

function colour(label, scores) {
  return `var(--${scoreClass(label === "NO_DATA" ? null : scores.get(label)).slice("score-".length)})`;
}

function bar(node, scores) {
  const total = node.buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  const parts = node.buckets
    .filter((bucket) => bucket.count > 0)
    .map((bucket) =>
      el("span", {
        class: "bucket",
        "data-label": bucket.label,
        title: `${bucket.label}: ${bucket.count}`,
        style: `width:${(100 * bucket.count) / total}%;background:${colour(bucket.label, scores)}`,
      }),
    );
  return el("div", { class: "bar", role: "img", "aria-label": node.buckets.map((b) => `${b.label} ${b.count}`).join(", ") }, parts);
}

function rows(node, scores, depth, under) {
  const name = node.team
    ? el("a", { href: `/explore/teams?under=${encodeURIComponent(node.team.key)}` }, node.team.name)
    : el("strong", {}, under ? under : "All teams");
  const counts = node.buckets.map((bucket) => `${bucket.label} ${bucket.count}`).join(" · ");
  const row = el(
    "tr",
    { "data-team": node.team?.key ?? "" },
    el("td", { style: `padding-left:${10 + depth * 20}px` }, name),
    el("td", { class: "number" }, String(node.entityCount)),
    el("td", { class: "number" }, formatNumber(node.meanScore)),
    el("td", {}, bar(node, scores)),
    el("td", { class: "muted" }, counts),
  );
  return [row, ...(node.children ?? []).flatMap((child) => rows(child, scores, depth + 1, under))];
}

function table(root, scores, under) {
  const labels = root.buckets.map((bucket) => bucket.label);
  return [
    el("div", { class: "legend" }, labels.map((label) => el("span", { style: `--swatch:${colour(label, scores)}` }, label))),
    el(
      "table",
      { class: "rollup" },
      el("thead", {}, el("tr", {}, ["team", "entities", "mean score", "buckets", "counts"].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows(root, scores, 0, under)),
    ),
  ];
}

function retrainingAnswer(root) {
  const count = (label) => root.buckets.find((bucket) => bucket.label === label)?.count ?? 0;
  const fresh = count("FRESH");
  const late = root.entityCount - fresh;
  if (root.entityCount === 0) return "No model sources here.";
  if (late === 0) return `Yes: all ${root.entityCount} model sources were retrained in the last 30 days.`;
  return `Not all: ${fresh} of ${root.entityCount} model sources were retrained in the last 30 days; ` +
    `${count("AGING")} in the last 90 (aging), ${count("STALE")} longer ago (stale), ${count("NO_DATA")} never.`;
}

async function render() {
  const under = new URLSearchParams(window.location.search).get("under") || null;
  $("title").textContent = under ? `Team health under ${under}` : "Team health";
  try {
    const data = await graphql(TEAMS_QUERY, { under });
    const scores = bucketScores(data.metricDefinitions);
    $("retraining-answer").textContent = retrainingAnswer(data.retraining);
    $("retraining").replaceChildren(...table(data.retraining, scores, under));
    $("maturity").replaceChildren(...table(data.maturity, scores, under));
  } catch (error) {
    $("status").textContent = `Could not load team health: ${error.message}`;
  }
}

attachSearch($("search"), $("query"), $("results"));
render();
