"""tamis: repair, explain and filter raw multilingual web text for language-model training corpora."""

__version__ = "0.1.0"
