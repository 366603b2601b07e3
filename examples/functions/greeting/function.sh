# Greets the argument with $GREETING, which comes from a secret (docs/secrets-and-roles.md):
# "Mundo" -> "Hola, Mundo!"
printf '%s, %s!\n' "${GREETING:-Hello}" "$1"
