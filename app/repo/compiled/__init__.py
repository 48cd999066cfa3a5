"""GraphQL selections compiled into one SQL statement that builds the JSON answer."""
