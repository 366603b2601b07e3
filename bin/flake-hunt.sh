#!/usr/bin/env bash
# Reruns test suites N times and prints every test that failed, with how many rounds it failed in.
#   bin/flake-hunt.sh N [spec...]
# Specs are compiled test files or globs; `workspace` (the default) stands for the whole
# workspace suite as `npm run test:all` runs it, `proof` for the proof suite. Build first (`npm run build`); nothing is
# retried and no timeout is changed: a test that fails in any round is a bug to find.
# LOAD=1 adds a CPU hog on one core for the whole hunt (the conditions CI's neighbours make).
set -uo pipefail
cd "$(dirname "$0")/.."

rounds="${1:-}"
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: bin/flake-hunt.sh N [spec...]   (N rounds, N >= 1)" >&2
  exit 2
fi
shift
specs=("$@")
[ ${#specs[@]} -eq 0 ] && specs=(workspace)

work="$(mktemp -d)"
hog=""
cleanup() { [ -n "$hog" ] && kill "$hog" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
if [ "${LOAD:-0}" = "1" ]; then
  ( while :; do :; done ) &
  hog=$!
fi

# One mocha run per named suite (each with the arguments its npm script uses), and one for the
# files given, so `workspace proof` runs both suites; built once, used every round.
runs=()
files=()
for spec in "${specs[@]}"; do
  case "$spec" in
    workspace) runs+=("--ignore proof/** */dist/test/**/*.test.js") ;;
    proof) runs+=("--timeout 600000 proof/dist/test/**/*.test.js") ;;
    *) files+=("$spec") ;;
  esac
done

# Proof files given one by one still need the suite's root hooks: they stop the shared platform
# and remove its supervisor volume and filler image (without them each round left both behind).
root_hooks=proof/dist/test/root-hooks.test.js
if [ ${#files[@]} -gt 0 ] && printf '%s\n' "${files[@]}" | grep -q '^proof/' && ! printf '%s\n' "${files[@]}" | grep -qx "$root_hooks"; then
  files=("$root_hooks" "${files[@]}")
fi

failed_rounds=0
for round in $(seq 1 "$rounds"); do
  start=$(date +%s)
  : >"$work/log.$round"
  for run in "${runs[@]}"; do
    # Word splitting on purpose, globbing off: mocha expands the globs itself.
    set -f
    # shellcheck disable=SC2086
    FAAS_TEST_FAILURES="$work/failures.$round" FAAS_TEST_TALLY="$work/tally.$round" npx mocha $run >>"$work/log.$round" 2>&1
    set +f
  done
  if [ ${#files[@]} -gt 0 ]; then
    FAAS_TEST_FAILURES="$work/failures.$round" FAAS_TEST_TALLY="$work/tally.$round" npx mocha "${files[@]}" >>"$work/log.$round" 2>&1
  fi
  touch "$work/failures.$round"
  expected=$(( ${#runs[@]} + (${#files[@]} > 0 ? 1 : 0) ))
  tallies=$(wc -l <"$work/tally.$round" 2>/dev/null || echo 0)
  tally=$(awk '{ p += $1; f += $2; s += $3 } END { printf "%d passed, %d failed, %d skipped", p, f, s }' "$work/tally.$round" 2>/dev/null)
  [ "$tallies" -eq "$expected" ] || tally="$tally; $((expected - tallies)) of $expected mocha runs did not finish (see the log)"
  echo "round $round: $tally in $(( $(date +%s) - start )) s"
  # The tally's own failed count too: a failure whose title did not reach failures.$round
  # (stop 32 saw two such rounds end in "no test failed") still fails the round.
  failed=$(cat "$work/tally.$round" 2>/dev/null | awk '{ f += $2 } END { print f + 0 }')
  if [ -s "$work/failures.$round" ] || [ "$tallies" -ne "$expected" ] || [ "${failed:-0}" -gt 0 ]; then
    failed_rounds=$((failed_rounds + 1))
    cp "$work/log.$round" "/tmp/flake-hunt.$$.round-$round.log"
    echo "  log kept: /tmp/flake-hunt.$$.round-$round.log"
  fi
done

echo
if cat "$work"/failures.* 2>/dev/null | grep -q .; then
  echo "failed tests (rounds failed / $rounds):"
  cat "$work"/failures.* | sort | uniq -c | sort -rn
elif [ "$failed_rounds" -gt 0 ]; then
  # A round fails without a named test when a mocha run does not finish (a crash): its tally
  # line is missing, and only the kept log says why.
  echo "$failed_rounds of $rounds rounds failed, but no failed test was named (a mocha run that did not finish, or a lost title: see the kept logs)"
else
  echo "no test failed in $rounds rounds"
fi
[ "$failed_rounds" -eq 0 ]
