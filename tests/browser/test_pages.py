"""GraphiQL and the explorer in a real chromium against a real server on a demo graph."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from tests.browser.harness import DEMO_BINARY, lineage_keys

ENTITY_TYPES = [
    "FEATURE_SOURCE",
    "LOGICAL_FEATURE",
    "TRAINING_DATASET",
    "MODEL_SOURCE",
    "WORKFLOW_RUN",
    "MODEL_BINARY",
    "MODEL_DEPLOYMENT",
]

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

TIMEOUT_MS = 30_000


def _drawn_keys(page: Page, root: str) -> set[str]:
    """The data-key of every drawn lineage node, once the drawing for `root` is on the page."""
    page.locator(f'#lineage .node.root[data-key="{root}"]').wait_for(timeout=TIMEOUT_MS)
    keys: list[str] = page.locator("#lineage [data-key]").evaluate_all(
        "nodes => nodes.map(node => node.dataset.key)"
    )
    assert len(keys) == len(set(keys)), "a node is drawn twice"
    return set(keys)


def _key_in_url(page: Page) -> str | None:
    return parse_qs(urlsplit(page.url).query).get("key", [None])[0]


def test_graphiql_runs_a_query_with_every_other_origin_cut_off(
    page: Page, base_url: str, console_errors: list[str]
) -> None:
    foreign: list[str] = []

    def only_our_origin(route: Route) -> None:
        if route.request.url.startswith(base_url + "/"):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    page.route("**/*", only_our_origin)
    page.goto("/graphql")
    page.locator(".graphiql-execute-button").click(timeout=TIMEOUT_MS)
    page.locator(".result-window").get_by_text('"lineage"').wait_for(timeout=TIMEOUT_MS)
    assert "dep/00001-0" in page.locator(".result-window").inner_text()
    assert foreign == []
    assert console_errors == []


def test_explorer_draws_exactly_the_nodes_lineage_returns(
    page: Page, base_url: str, console_errors: list[str]
) -> None:
    page.goto(f"/explore?key={DEMO_BINARY}")
    expected = lineage_keys(base_url, DEMO_BINARY, "BOTH", 2)
    assert len(expected) > 3
    assert _drawn_keys(page, DEMO_BINARY) == expected
    assert console_errors == []


def test_clicking_a_node_reroots_and_back_restores(
    page: Page, base_url: str, console_errors: list[str]
) -> None:
    page.goto(f"/explore?key={DEMO_BINARY}")
    first = _drawn_keys(page, DEMO_BINARY)
    target = sorted(first - {DEMO_BINARY})[0]

    page.locator(f'#lineage [data-key="{target}"]').click()
    assert _drawn_keys(page, target) == lineage_keys(base_url, target, "BOTH", 2)
    assert _key_in_url(page) == target

    page.go_back()
    assert _drawn_keys(page, DEMO_BINARY) == first
    assert _key_in_url(page) == DEMO_BINARY
    assert console_errors == []


def test_upstream_only_draws_the_upstream_lineage(
    page: Page, base_url: str, console_errors: list[str]
) -> None:
    page.goto(f"/explore?key={DEMO_BINARY}")
    _drawn_keys(page, DEMO_BINARY)
    page.locator("#controls select[name=direction]").select_option("UPSTREAM")
    page.locator("#controls select[name=depth]").select_option("4")
    expected = lineage_keys(base_url, DEMO_BINARY, "UPSTREAM", 4)
    page.wait_for_function(
        "count => document.querySelectorAll('#lineage [data-key]').length === count", arg=len(expected)
    )
    assert _drawn_keys(page, DEMO_BINARY) == expected
    assert "direction=UPSTREAM" in page.url
    assert console_errors == []


def test_unticking_a_type_draws_the_lineage_of_the_other_types(
    page: Page, base_url: str, console_errors: list[str]
) -> None:
    page.goto(f"/explore?key={DEMO_BINARY}")
    _drawn_keys(page, DEMO_BINARY)
    page.locator('#types input[value="WORKFLOW_RUN"]').uncheck()
    others = [name for name in ENTITY_TYPES if name != "WORKFLOW_RUN"]
    expected = lineage_keys(base_url, DEMO_BINARY, "BOTH", 2, types=others)
    page.wait_for_function(
        "count => document.querySelectorAll('#lineage [data-key]').length === count", arg=len(expected)
    )
    assert _drawn_keys(page, DEMO_BINARY) == expected
    assert "types=" in page.url
    assert console_errors == []


def test_a_cut_answer_shows_the_truncated_notice(
    page: Page, base_url: str, console_errors: list[str]
) -> None:
    page.goto(f"/explore?key={DEMO_BINARY}&limit=2")
    assert _drawn_keys(page, DEMO_BINARY) == lineage_keys(base_url, DEMO_BINARY, "BOTH", 2, limit=2)
    assert page.locator("#truncated").is_visible()
    page.goto(f"/explore?key={DEMO_BINARY}")
    _drawn_keys(page, DEMO_BINARY)
    assert page.locator("#truncated").is_hidden()
    assert console_errors == []


def test_search_results_link_to_the_explorer(page: Page, console_errors: list[str]) -> None:
    page.goto("/explore")
    page.locator("#query").fill(DEMO_BINARY)
    link = f'#results a[href="/explore?key={DEMO_BINARY.replace("/", "%2F")}"]'
    page.locator(link).click(timeout=TIMEOUT_MS)
    _drawn_keys(page, DEMO_BINARY)
    assert console_errors == []


def test_model_source_shows_its_metrics_and_scorecard(page: Page, console_errors: list[str]) -> None:
    page.goto("/explore?key=ms/00001")
    page.locator("#scorecard .tree").wait_for(timeout=TIMEOUT_MS)
    assert page.locator("#metrics .badge").count() > 0
    assert "maturity" in page.locator("#scorecard").inner_text()
    assert console_errors == []


def test_teams_page_shows_bucket_bars(page: Page, console_errors: list[str]) -> None:
    page.goto("/explore/teams")
    page.locator("#maturity .bar .bucket").first.wait_for(timeout=TIMEOUT_MS)
    assert page.locator("#retraining .bar .bucket").count() > 0
    assert "model sources" in page.locator("#retraining-answer").inner_text()
    assert console_errors == []
