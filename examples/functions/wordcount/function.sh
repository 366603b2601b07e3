# Counts the words of the argument: "Hola, Mundo!" -> 2
set -f          # no globbing: a word like * stays a word
set -- $1
echo "$#"
