"""A complete intake in English, answer by answer, used by several tests."""

ENGLISH_INTAKE = [
    "yes",  # consent
    "Porto",
    "2",  # 25 to 29
    "more than 2 years",
    "5",  # no support
    "university degree",
    "I worked five years as a cook and I look after my grandmother",
    "Italiano",
    "1, 3",  # Portuguese and English
    "good",  # Portuguese
    "basic",  # English
    "3",  # email, internet, forms
    "1",  # car licence
    "2",  # public transport
    "1 3",  # full time, mornings
    "children",
    "find work",
    "yes",  # the optional questions
    "skip",  # disability
    "no",  # justice
    "1",  # migrant
    "yes, that's right",
]
