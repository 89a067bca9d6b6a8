#!/usr/bin/env bash
# Render workbooks the way a person sees them: xlsx → PDF (LibreOffice headless) → PNG per page.
#
#   scripts/render.sh [-r DPI] OUT_DIR FILE.xlsx...
#
# Needs: apt-get install -y libreoffice-calc-nogui poppler-utils fonts-arphic-uming
# (a CJK font: without one, LibreOffice draws every Chinese character as a box).
# Writes OUT_DIR/NAME.pdf and OUT_DIR/NAME-1.png, NAME-2.png, … (one per printed page; only the
# sheets' print areas, as Excel would print them). Default resolution 80 dpi.
set -euo pipefail

dpi=80
if [[ "${1:-}" == "-r" ]]; then
    dpi="$2"
    shift 2
fi
if [[ $# -lt 2 ]]; then
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
out="$1"
shift
mkdir -p "$out"
for tool in soffice pdftoppm; do
    command -v "$tool" >/dev/null || { echo "render.sh: $tool not found (see the apt-get line in $0)" >&2; exit 2; }
done
if ! fc-list :lang=zh | grep -q .; then
    echo "render.sh: warning: no CJK font installed; Chinese text will render as boxes" >&2
fi
# A private LibreOffice profile, so a running office or a first-start dialog cannot interfere.
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
for f in "$@"; do
    soffice -env:UserInstallation="file://$profile" --headless --convert-to pdf --outdir "$out" "$f" >/dev/null
    name="$(basename "${f%.*}")"
    pdftoppm -r "$dpi" -png "$out/$name.pdf" "$out/$name"
    ls "$out/$name"*.png
done
