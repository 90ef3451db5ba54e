"""A person's addresses on the channels, as the application sees them: whether a number has opted
out of SMS, whether a chat can be reached, where the person first came from. The channels report
what happened; the rules of what it means live here."""
