// The search box of every page: `search` as the user types, results as links to the explorer.

import { el, graphql } from "./api.js";

const SEARCH_QUERY = `
query Search($query: String!) {
  search(query: $query, first: 12) { __typename key name owner { name } }
}`;

export function attachSearch(form, input, results) {
  let timer = null;
  let latest = 0;

  async function run() {
    const text = input.value.trim();
    const ticket = ++latest;
    if (!text) {
      results.hidden = true;
      return;
    }
    try {
      const data = await graphql(SEARCH_QUERY, { query: text });
      if (ticket !== latest) return;
      const items = data.search.map((entity) =>
        el(
          "li",
          {},
          el(
            "a",
            { href: `/explore?key=${encodeURIComponent(entity.key)}` },
            el("span", { class: `type-chip type-${entity.__typename}` }, entity.__typename),
            el("strong", {}, entity.name),
            el("span", { class: "key" }, entity.key),
          ),
        ),
      );
      results.replaceChildren(...(items.length ? items : [el("li", { class: "muted" }, `Nothing matches “${text}”.`)]));
      results.hidden = false;
    } catch (error) {
      results.replaceChildren(el("li", { class: "error" }, error.message));
      results.hidden = false;
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const first = results.querySelector("a");
    if (first) window.location.href = first.href;
    else run();
  });
  document.addEventListener("click", (event) => {
    if (!form.contains(event.target)) results.hidden = true;
  });
}
