# A file-processing function: counts the lines of an input and writes two outputs.
#   inputs: ["data.csv"]  (placed read-only at /faas/in/data.csv)
#   argument: the input's name under /faas/in (default data.csv)
# Writes /faas/out/lines.txt (the count) and /faas/out/header.csv (the first line); prints the count.
in="/faas/in/${1:-data.csv}"
if [ ! -f "$in" ]; then
  echo "no input $in: name it in the execution's \"inputs\"" >&2
  exit 2
fi
lines=$(awk 'END { print NR }' "$in")   # a last line without a newline counts too
echo "$lines" > /faas/out/lines.txt
head -n 1 "$in" > /faas/out/header.csv
echo "$lines"
