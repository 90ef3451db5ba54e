import pytest

import nlp


@pytest.fixture(scope="session")
def pipeline(nlp_pipeline: nlp.Pipeline) -> nlp.Pipeline:
    # The suite's one pipeline: built once into the cache (a minute at most), then loaded in a
    # second or more, which a second load would spend again for the same languages and cache.
    return nlp_pipeline
