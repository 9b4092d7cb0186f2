#!/usr/bin/env bash
# Refresh api/static/vendor/ from the npm registry: pinned GraphiQL, its explorer plugin and React,
# the built browser files only, each with its licence, and a manifest of versions and sha256 sums.
set -euo pipefail

GRAPHIQL=3.8.3
EXPLORER=3.2.6
REACT=18.3.1
GRAPHQL=16.11.0

root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/api/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --loglevel=error \
    "graphiql@$GRAPHIQL" "@graphiql/plugin-explorer@$EXPLORER" \
    "react@$REACT" "react-dom@$REACT" "graphql@$GRAPHQL" >/dev/null

modules="$work/node_modules"
explorer="$modules/@graphiql/plugin-explorer"
rm -rf "$target"
mkdir -p "$target"
cp "$modules/react/umd/react.production.min.js" "$target/react.production.min.js"
cp "$modules/react/LICENSE" "$target/react.LICENSE"
cp "$modules/react-dom/umd/react-dom.production.min.js" "$target/react-dom.production.min.js"
cp "$modules/react-dom/LICENSE" "$target/react-dom.LICENSE"
cp "$modules/graphiql/graphiql.min.js" "$modules/graphiql/graphiql.min.css" "$target/"
cp "$modules/graphiql/LICENSE" "$target/graphiql.LICENSE"
cp "$explorer/dist/index.umd.js" "$target/plugin-explorer.umd.js"
cp "$explorer/dist/style.css" "$target/plugin-explorer.css"
# The plugin's package ships no LICENSE file; it is MIT and lives in the graphiql repository,
# whose LICENSE applies. graphiql-explorer is bundled into its UMD build.
cp "$modules/graphiql/LICENSE" "$target/plugin-explorer.LICENSE"
cp "$explorer/node_modules/graphiql-explorer/LICENSE" "$target/graphiql-explorer.LICENSE"

python3 - "$target" "$modules" <<'PY'
import hashlib, json, pathlib, sys

target, modules = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])

def package(name, files, package_dir=None):
    meta = json.loads(((package_dir or modules / name) / "package.json").read_text())
    return {
        "name": name,
        "version": meta["version"],
        "license": meta.get("license"),
        "files": {f: hashlib.sha256((target / f).read_bytes()).hexdigest() for f in files},
    }

explorer = modules / "@graphiql/plugin-explorer"
manifest = [
    package("react", ["react.production.min.js", "react.LICENSE"]),
    package("react-dom", ["react-dom.production.min.js", "react-dom.LICENSE"]),
    package("graphiql", ["graphiql.min.js", "graphiql.min.css", "graphiql.LICENSE"]),
    package("@graphiql/plugin-explorer",
            ["plugin-explorer.umd.js", "plugin-explorer.css", "plugin-explorer.LICENSE"]),
    package("graphiql-explorer", ["graphiql-explorer.LICENSE"],
            explorer / "node_modules/graphiql-explorer"),
]
(target / "VERSIONS.json").write_text(json.dumps({"packages": manifest}, indent=2) + "\n")
for entry in manifest:
    print(f"{entry['name']}@{entry['version']} ({entry['license']})")
PY
