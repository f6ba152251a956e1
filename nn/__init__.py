"""Neural networks built from autograd Values (filled in by the nn work)."""
