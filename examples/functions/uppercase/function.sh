# Upper-cases the argument: "hola" -> "HOLA"
printf '%s\n' "$1" | tr 'a-z' 'A-Z'
