"""The whole system on one machine, on an embedded AWS (moto server)."""
