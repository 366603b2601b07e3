# Multiplies a and b of a JSON object: {"a":23,"b":10} -> 230
field() {
  printf '%s' "$1" | sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\(-\{0,1\}[0-9][0-9]*\).*/\1/p"
}
a=$(field "$1" a)
b=$(field "$1" b)
if [ -z "$a" ] || [ -z "$b" ]; then
  echo 'expected a JSON object with integer fields a and b, e.g. {"a":23,"b":10}' >&2
  exit 2
fi
echo $((a * b))
