"""What a sender raises when a message did not go, and so what the dispatcher does with the row.

- Pause: a wait asked for, not a failure (our rate limit, a provider's 429 and its retry_after,
  quiet hours). The row is handed back for exactly that long; it is no attempt.
  `whole_channel`: the provider said the whole account is too fast, so every row of the channel
  waits as long.
- RetryLater: a temporary failure (an outage, a network error): one attempt, then exponential
  backoff; after the policy's last attempt the row fails.
- PermanentFailure: failed at once; `unreachable` (blocked the bot) or `opted_out` (STOP) is
  recorded on the identity, and nothing more goes to it.
- Dropped: the row has no point any more (a reminder after its meeting began): cancelled.
- OutsideWindow: the provider takes only approved templates for this address now (WhatsApp's
  24-hour window); never reaches the dispatcher: the channel's window rule decides what follows
  (bot.contacts.whatsapp_window).
"""


class Pause(Exception):
    def __init__(self, reason: str, seconds: float, whole_channel: bool = False) -> None:
        super().__init__(reason)
        self.seconds = seconds
        self.whole_channel = whole_channel


class RetryLater(Exception):
    def __init__(self, reason: str, seconds: float) -> None:
        super().__init__(reason)
        self.seconds = seconds


class PermanentFailure(Exception):
    def __init__(self, reason: str, unreachable: bool = False, opted_out: bool = False) -> None:
        super().__init__(reason)
        self.unreachable = unreachable
        self.opted_out = opted_out


class Dropped(Exception):
    """The row has no point any more; it is cancelled with this reason."""


class OutsideWindow(Exception):
    """The provider refuses a free-form message outside its customer-service window."""
