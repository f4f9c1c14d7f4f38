"""Finding the article that answers a question: embeddings, lexical matching, the index, the engine."""
