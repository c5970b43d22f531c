"""Loading RDF, the cache, building, inference, serialisation and validation."""
