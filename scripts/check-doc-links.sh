#!/usr/bin/env bash
# Checks the documentation's references (ctest: docs_links, label unit):
#   1. every relative link [text](path) or [text](path#anchor), image link and reference-style
#      link "[id]: path" of every markdown file names a file or folder that exists (resolved
#      against the markdown file's folder; "/path" against the repository root); http(s), mailto
#      and other URLs and pure #anchors are not checked; code blocks and `code spans` are skipped;
#   2. no file of the repository refers to a document that is not in it: the design notes the
#      project started from (by their file names), "../shared", or a "team spec" section;
#   3. every mention of docs/NAME.md in any file names a file that exists.
# Files: git's tracked and untracked-but-not-ignored files (else a walk of the tree), never
# build*/, runs/ or .git/. Prints FILE:LINE: message per problem and exits 1, or one summary line.
#   bash scripts/check-doc-links.sh
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
root=$PWD
self=scripts/check-doc-links.sh

files=()
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  while IFS= read -r -d '' f; do files+=("$f"); done < <(git ls-files -z --cached --others --exclude-standard)
else
  while IFS= read -r -d '' f; do files+=("${f#./}"); done < <(find . -path ./.git -prune -o -type f -print0)
fi
kept=()
for f in "${files[@]}"; do
  case "$f" in build*/* | runs/* | .git/* | "$self") continue ;; esac
  [ -f "$f" ] || continue # listed by git but deleted or moved in the work tree
  kept+=("$f")
done
files=("${kept[@]}")
md=()
for f in "${files[@]}"; do
  case "$f" in *.md | *.markdown) md+=("$f") ;; esac
done

problems=0
report() { # file line message
  printf '%s:%s: %s\n' "$1" "$2" "$3"
  problems=$((problems + 1))
}

# ---- 1. relative links of the markdown files ------------------------------------------------------
# awk prints "file<TAB>line<TAB>target" for every link outside fenced code blocks and code spans.
extract_links() {
  awk '
    FNR == 1 { fence = "" }
    {
      line = $0
      if (match(line, /^[ \t]*(```+|~~~+)/)) {
        mark = substr(line, RSTART, RLENGTH); gsub(/[ \t]/, "", mark); mark = substr(mark, 1, 3)
        if (fence == "") fence = mark; else if (mark == fence) fence = ""
        next
      }
      if (fence != "") next
      gsub(/``[^`]*``/, "", line)
      gsub(/`[^`]*`/, "", line)
      if (match(line, /^[ \t]*\[[^]]+\]:[ \t]+[^ \t]+/)) {
        ref = substr(line, RSTART, RLENGTH); sub(/^[ \t]*\[[^]]+\]:[ \t]+/, "", ref)
        printf "%s\t%d\t%s\n", FILENAME, FNR, ref
      }
      while (match(line, /\]\([^)]*\)/)) {
        target = substr(line, RSTART + 2, RLENGTH - 3)
        printf "%s\t%d\t%s\n", FILENAME, FNR, target
        line = substr(line, RSTART + RLENGTH)
      }
    }' "$@"
}

links=0
if [ ${#md[@]} -gt 0 ]; then
  while IFS=$'\t' read -r file line target; do
    t=$target
    t="${t#"${t%%[![:space:]]*}"}"                   # leading white space
    if [[ $t == \<* ]]; then t=${t#<}; t=${t%%>*}; else t=${t%%[[:space:]]*}; fi # <path> or path "title"
    [ -z "$t" ] && continue
    [[ $t == \#* ]] && continue                      # an anchor in the same file
    [[ $t =~ ^[A-Za-z][A-Za-z0-9+.-]*: ]] && continue # http:, https:, mailto:, ...
    t=${t%%#*}
    t=${t%%\?*}
    t=${t//%20/ }
    [ -z "$t" ] && continue
    links=$((links + 1))
    if [[ $t == /* ]]; then path="$root$t"; else path="$(dirname "$file")/$t"; fi
    [ -e "$path" ] || report "$file" "$line" "broken link: $target (no such file: $t)"
  done < <(extract_links "${md[@]}")
fi

# ---- 2. references to documents outside the repository ------------------------------------------
# File names as written (case-sensitive: docs/ENVIRONMENT.md is the repository's own page), and
# section citations of a specification that is not in the repository (any case).
names='(^|[^A-Za-z0-9_.-])(seqpe-method|design|datasets|environment|style-by-example|feature-anchors)\.md|\.\./shared'
phrases="team'?s? (written )?spec|spec(ification)? §"
outside_refs() {
  printf '%s\0' "${files[@]}" | xargs -0 grep -HnIoE "$names" -- 2>/dev/null
  printf '%s\0' "${files[@]}" | xargs -0 grep -HnIoiE "$phrases" -- 2>/dev/null
}
while IFS= read -r hit; do
  file=${hit%%:*}; rest=${hit#*:}; line=${rest%%:*}; what=${rest#*:}
  [[ $what =~ ^[^A-Za-z0-9.] ]] && what=${what:1} # the character before a file name
  report "$file" "$line" "refers to a document outside the repository: '$what' (point at a file under docs/ instead)"
done < <(outside_refs)

# ---- 3. docs/NAME.md mentioned anywhere must exist ---------------------------------------------
while IFS= read -r hit; do
  file=${hit%%:*}; rest=${hit#*:}; line=${rest%%:*}; what=${rest#*:}
  [ -e "$root/$what" ] || report "$file" "$line" "names $what, which does not exist"
done < <(printf '%s\0' "${files[@]}" | xargs -0 grep -HnIoE 'docs/[A-Za-z0-9_.-]+\.md' -- 2>/dev/null)

if [ "$problems" -gt 0 ]; then
  echo "check-doc-links: $problems problem(s)" >&2
  exit 1
fi
echo "check-doc-links: ${#md[@]} markdown files, $links relative links, ${#files[@]} files free of outside references: OK"
