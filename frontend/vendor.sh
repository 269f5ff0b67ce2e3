#!/usr/bin/env bash
# Copy the few front-end files the app needs from frontend/node_modules into
# src/gongqiang/static/vendor/<package>/, with their licences, so that the app
# needs neither Node nor a CDN at run time.
#
# Usage (from any directory):  bash frontend/vendor.sh
# Versions are pinned in frontend/package.json + package-lock.json; to upgrade,
# change the pin, run `npm install` in frontend/, then run this script and
# commit the result.
set -euo pipefail

FRONTEND="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NM="$FRONTEND/node_modules"
VENDOR="$(cd "$FRONTEND/.." && pwd)/src/gongqiang/static/vendor"

if [[ ! -d "$NM" ]]; then
    echo "vendor.sh: $NM missing; running npm ci" >&2
    (cd "$FRONTEND" && npm ci --no-audit --no-fund)
fi

# field <package dir> <field>: print a top-level field of a package.json
field() {
    node -p "require(process.argv[1])[process.argv[2]]" "$1/package.json" "$2"
}

# The installed versions must be the pinned ones (guards a stale node_modules).
for pkg in bootstrap bootstrap-icons htmx.org echarts; do
    want="$(node -p "require(process.argv[1]).dependencies[process.argv[2]]" "$FRONTEND/package.json" "$pkg")"
    have="$(field "$NM/$pkg" version)"
    if [[ "$want" != "$have" ]]; then
        echo "vendor.sh: $pkg is $have in node_modules but pinned to $want; run 'npm ci' in $FRONTEND" >&2
        exit 1
    fi
done

# put <src relative to node_modules> <dest relative to vendor/>
put() {
    mkdir -p "$(dirname "$VENDOR/$2")"
    cp "$NM/$1" "$VENDOR/$2"
    chmod 0644 "$VENDOR/$2"
}

# Only the package folders this script owns are replaced.
mkdir -p "$VENDOR"
rm -rf "$VENDOR/bootstrap" "$VENDOR/bootstrap-icons" "$VENDOR/htmx.org" "$VENDOR/echarts"

# bootstrap (the bundle includes Popper, whose licence goes along)
put bootstrap/dist/css/bootstrap.min.css        bootstrap/css/bootstrap.min.css
put bootstrap/dist/js/bootstrap.bundle.min.js   bootstrap/js/bootstrap.bundle.min.js
put bootstrap/LICENSE                           bootstrap/LICENSE
put @popperjs/core/LICENSE.md                   bootstrap/LICENSE-popper

# bootstrap-icons: the css refers to fonts/ next to itself
put bootstrap-icons/font/bootstrap-icons.min.css      bootstrap-icons/bootstrap-icons.min.css
put bootstrap-icons/font/fonts/bootstrap-icons.woff2  bootstrap-icons/fonts/bootstrap-icons.woff2
put bootstrap-icons/font/fonts/bootstrap-icons.woff   bootstrap-icons/fonts/bootstrap-icons.woff
put bootstrap-icons/LICENSE                           bootstrap-icons/LICENSE

# htmx
put htmx.org/dist/htmx.min.js  htmx.org/htmx.min.js
put htmx.org/LICENSE           htmx.org/LICENSE

# echarts (echarts.min.js bundles zrender and tslib and embeds parts of d3)
put echarts/dist/echarts.min.js   echarts/echarts.min.js
put echarts/i18n/langZH.js        echarts/i18n/langZH.js
put echarts/LICENSE               echarts/LICENSE
put echarts/NOTICE                echarts/NOTICE
put echarts/licenses/LICENSE-d3   echarts/LICENSE-d3
put zrender/LICENSE               echarts/LICENSE-zrender
put tslib/LICENSE.txt             echarts/LICENSE-tslib

# Drop source-map comments: the .map files are not vendored, and a dangling
# reference makes browsers log 404s (and Django's ManifestStaticFilesStorage
# fail in collectstatic).
while IFS= read -r -d '' f; do
    sed -i -E '/^[[:space:]]*(\/\/[#@] sourceMappingURL=.*|\/\*[#@] sourceMappingURL=[^*]*\*\/)[[:space:]]*$/d' "$f"
done < <(find "$VENDOR" -type f \( -name '*.js' -o -name '*.css' \) -print0)

# Checks: nothing a browser would fetch from elsewhere.
fail=0
if grep -rl 'sourceMappingURL=' "$VENDOR" --include='*.js' --include='*.css'; then
    echo "vendor.sh: a sourceMappingURL comment is left in the files above" >&2
    fail=1
fi
if grep -rEil 'url\([[:space:]]*["'"'"']?[[:space:]]*(https?:)?//|@import' "$VENDOR" --include='*.css'; then
    echo "vendor.sh: a remote url() or an @import is in the css files above" >&2
    fail=1
fi
icon_urls="$(grep -oE 'url\([^)]*\)' "$VENDOR/bootstrap-icons/bootstrap-icons.min.css" | sort -u)"
if grep -vE '^url\("(\./)?fonts/bootstrap-icons\.woff2?(\?[0-9a-f]+)?"\)$' <<<"$icon_urls"; then
    echo "vendor.sh: bootstrap-icons css refers to something other than its fonts/" >&2
    fail=1
fi
(( fail == 0 )) || exit 1

# VERSIONS.txt
{
    echo "# Vendored front-end files: written by frontend/vendor.sh from the npm"
    echo "# packages pinned in frontend/package.json. Do not edit by hand."
    echo "# package@version  licence  (licence file)"
    for pkg in bootstrap bootstrap-icons htmx.org echarts; do
        echo "$pkg@$(field "$NM/$pkg" version)  $(field "$NM/$pkg" license)  ($pkg/LICENSE)"
    done
    echo "# bundled inside the files above:"
    echo "@popperjs/core@$(field "$NM/@popperjs/core" version)  $(field "$NM/@popperjs/core" license)  (bootstrap/LICENSE-popper; in bootstrap.bundle.min.js)"
    echo "zrender@$(field "$NM/zrender" version)  $(field "$NM/zrender" license)  (echarts/LICENSE-zrender; in echarts.min.js)"
    echo "tslib@$(field "$NM/tslib" version)  $(field "$NM/tslib" license)  (echarts/LICENSE-tslib; in echarts.min.js)"
    echo "d3 (parts)  BSD-3-Clause  (echarts/LICENSE-d3; in echarts.min.js, see echarts/LICENSE)"
} > "$VENDOR/VERSIONS.txt"

echo "vendored into $VENDOR:"
(cd "$VENDOR" && find . -type f | sort | xargs ls -l | awk '{printf "%10d  %s\n", $5, $9}')
