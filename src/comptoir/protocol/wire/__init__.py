"""Pure core of the protocol: message models, builders and parsers, schemas, signing. No Django here."""
