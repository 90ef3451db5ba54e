import pytest

import nlp
from nlp.build import default_cache_dir


@pytest.fixture(scope="session")
def pipeline() -> nlp.Pipeline:
    # Built once into the user cache (a minute at most), then loaded in about a second.
    return nlp.load(nlp.LANGUAGES, default_cache_dir())
