"""GraphQL types: one module per family (entities, features, models, teams, connections, inputs)."""
