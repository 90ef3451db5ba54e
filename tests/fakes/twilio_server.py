"""A local stand-in for Twilio's REST API, enough for the real twilio library to send SMS.

`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` checks the basic authentication, records
the message and answers with Twilio's JSON message resource; `fail_next` makes the next sends
answer with a Twilio error instead (400 with 21610, 429, 500; WhatsApp's 63016 outside the
24-hour window, 63024 not a WhatsApp number...). WhatsApp sends (`whatsapp:` addresses) must come
from a `whatsapp:` sender; a template send (`ContentSid` + `ContentVariables`, no `Body`) is
recorded with its body rendered from the templates given to `content`, as the phone shows it.
`fail_after_accepting` makes the next sends succeed and then fail as Twilio reports it later:
a status callback (`undelivered` with the error code, 63016 when WhatsApp's window closed by
Twilio's clock) to the send's `StatusCallback`, signed with the account's token as Twilio signs
it; `send_callbacks` posts the callbacks due through the sink the test gives (its web app).
It runs under uvicorn in a background thread on 127.0.0.1, on a free port.
"""

import base64
import json
import secrets
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import formatdate
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from tests.fakes.serving import json_response, serving

API_VERSION = "2010-04-01"
ERROR_MESSAGES = {
    20003: "Authenticate",
    20429: "Too Many Requests",
    21211: "Invalid 'To' Phone Number",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    21910: "Invalid From and To pair. From and To should be of the same channel",
    21656: "The ContentVariables Parameter is invalid",
    63003: "Channel could not find To address",
    63016: "Failed to send freeform message because you are outside the allowed window.",
    63024: "Invalid message recipient",
}


ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "12345678901234567890123456789012"


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sent: list[dict[str, str]] = []
        self.content: dict[str, str] = {}  # Content SID: its approved text, with {{1}}, {{2}}...
        self.url = ""
        self._failures: deque[tuple[int, int | None]] = deque()
        self._late_failures: deque[int] = deque()
        self.callbacks: list[tuple[str, dict[str, str]]] = []  # (StatusCallback, its params)
        self._lock = threading.Lock()
        self.buttons: dict[str, list[str]] = {}  # Content SID: its button titles, as templates
        path = f"/{API_VERSION}/Accounts/{{account_sid}}/Messages.json"
        self.app = Starlette(routes=[
            Route(path, self._create_message, methods=["POST"]),
            Route("/v1/Content", self._create_content, methods=["POST"]),
            Route("/v1/Content", self._list_content, methods=["GET"]),
        ])  # fmt: skip
        self.created: list[dict[str, object]] = []  # the Content API's resources

    def fail_next(self, status: int, code: int | None = None, times: int = 1) -> None:
        """Answer the next `times` sends with this HTTP status and Twilio error code."""
        with self._lock:
            self._failures.extend([(status, code)] * times)

    def fail_after_accepting(self, code: int, times: int = 1) -> None:
        """Accept the next `times` sends, then report each undelivered with error `code`."""
        with self._lock:
            self._late_failures.extend([code] * times)

    def send_callbacks(self, sink: Callable[[str, dict[str, str], dict[str, str]], object]) -> int:
        """Post the status callbacks due, signed: sink(url, params, headers). How many."""
        with self._lock:
            due, self.callbacks = self.callbacks, []
        validator = RequestValidator(self.auth_token)
        for url, params in due:
            sink(url, params, {"X-Twilio-Signature": validator.compute_signature(url, params)})
        return len(due)

    def bodies(self, to: str | None = None) -> list[str]:
        return [m["Body"] for m in self.sent if to is None or m["To"] == to]

    def reset(self) -> None:
        with self._lock:
            self.sent.clear()
            self._failures.clear()
            self._late_failures.clear()
            self.callbacks.clear()
            self.content.clear()
            self.buttons.clear()
            self.created.clear()

    async def _create_message(self, request: Request) -> JSONResponse:
        account_sid = request.path_params["account_sid"]
        if account_sid != self.account_sid or not self._authenticated(request):
            return _error(401, 20003)
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        refused = self._refused(form)
        if refused is not None:
            return _error(400, refused)
        if "ContentSid" in form:
            variables = form.get("ContentVariables", "{}")
            form["Body"] = self._rendered(form["ContentSid"], variables)
            titles = [
                self._fill(title, variables) for title in self.buttons.get(form["ContentSid"], [])
            ]
            if titles:
                form["Buttons"] = json.dumps(titles, ensure_ascii=False)
        with self._lock:
            if self._failures:
                return _error(*self._failures.popleft())
            sid = "SM" + secrets.token_hex(16)
            self.sent.append({**form, "Sid": sid})
            if self._late_failures and form.get("StatusCallback"):
                self.callbacks.append(
                    (form["StatusCallback"], self._report(sid, form, self._late_failures.popleft()))
                )
        return json_response(self._resource(sid, form), 201)

    def _refused(self, form: dict[str, str]) -> int | None:
        """What Twilio itself would refuse, whatever the test asked for."""
        on_whatsapp = [form.get(key, "").startswith("whatsapp:") for key in ("To", "From")]
        if on_whatsapp[0] != on_whatsapp[1] and "MessagingServiceSid" not in form:
            return 21910
        if "ContentSid" in form:
            try:
                variables = json.loads(form.get("ContentVariables", "{}"))
            except ValueError:
                return 21656
            if not isinstance(variables, dict) or form["ContentSid"] not in self.content:
                return 21656
        return None

    def _report(self, sid: str, form: dict[str, str], code: int) -> dict[str, str]:
        """What Twilio posts when a message it accepted could not be delivered."""
        return {
            "MessageSid": sid, "SmsSid": sid, "MessageStatus": "undelivered",
            "SmsStatus": "undelivered", "ErrorCode": str(code), "AccountSid": self.account_sid,
            "From": form.get("From", ""), "To": form.get("To", ""), "ApiVersion": API_VERSION,
            **({"ChannelPrefix": "whatsapp"} if form.get("To", "").startswith("whatsapp:") else {}),
        }  # fmt: skip

    def _rendered(self, content_sid: str, variables: str) -> str:
        return self._fill(self.content[content_sid], variables)

    @staticmethod
    def _fill(text: str, variables: str) -> str:
        for key, value in json.loads(variables).items():
            text = text.replace("{{" + key + "}}", value)
        return text

    async def _create_content(self, request: Request) -> JSONResponse:
        """The Content API's create: a template kept with its body and its buttons' titles."""
        if not self._authenticated(request):
            return _error(401, 20003)
        given = json.loads(await request.body())
        types = {kind: value for kind, value in given["types"].items() if value}
        sid = "HX" + secrets.token_hex(16)
        shown = (
            types.get("twilio/quick-reply")
            or types.get("twilio/list-picker")
            or types["twilio/text"]
        )
        with self._lock:
            self.content[sid] = shown["body"]
            self.buttons[sid] = [
                b.get("title") or b.get("item")
                for b in shown.get("actions") or shown.get("items") or []
            ]
            resource = {
                "sid": sid,
                "account_sid": self.account_sid,
                "friendly_name": given.get("friendly_name"),
                "language": given.get("language"),
                "variables": given.get("variables"),
                "types": types,
                "url": f"{self.url}/v1/Content/{sid}",
                "links": {},
            }
            self.created.append(resource)
        return json_response(resource, 201)

    async def _list_content(self, request: Request) -> JSONResponse:
        if not self._authenticated(request):
            return _error(401, 20003)
        with self._lock:
            contents = list(self.created)
        meta = {
            "key": "contents",
            "page": 0,
            "page_size": 50,
            "next_page_url": None,
            "previous_page_url": None,
            "first_page_url": None,
            "url": None,
        }
        return json_response({"contents": contents, "meta": meta}, 200)

    def _authenticated(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    def _resource(self, sid: str, form: dict[str, str]) -> dict[str, object]:
        now = formatdate(usegmt=True).replace("GMT", "+0000")
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": form.get("Body", ""),
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if form.get("MessagingServiceSid") else "queued",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": form.get("To"),
            "uri": uri,
        }


def _error(status: int, code: int | None) -> JSONResponse:
    body: dict[str, object] = {"status": status, "message": ERROR_MESSAGES.get(code, "Error")}
    if code is not None:
        body |= {"code": code, "more_info": f"https://www.twilio.com/docs/errors/{code}"}
    return json_response(body, status)


@contextmanager
def running(fake: FakeTwilio) -> Iterator[FakeTwilio]:
    """Serve `fake` on 127.0.0.1 until the block ends; `fake.url` is its base URL."""
    with serving(fake.app, "Twilio") as url:
        fake.url = url
        yield fake
