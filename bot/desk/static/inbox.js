// The SMS length of an answer while it is typed, by the rules of dialogs/segments.py (its
// alphabet comes with the page): the counselor's name goes first, as the person receives it.
(function () {
  "use strict";
  var box = document.getElementById("answer");
  var shown = document.getElementById("answer-length");
  if (!box || !shown) return;
  var alphabet = JSON.parse(box.dataset.alphabet);

  function pack(sizes, single, perPart) {
    var total = sizes.reduce(function (sum, size) { return sum + size; }, 0);
    if (total <= single) return sizes.length ? 1 : 0;
    var parts = 1, used = 0;
    sizes.forEach(function (size) {
      if (used + size > perPart) { parts += 1; used = 0; }
      used += size;
    });
    return parts;
  }

  function segments(text) {
    var chars = Array.from(text).map(function (ch) {
      return ch in alphabet.plain ? alphabet.plain[ch] : ch;
    }).join("");
    chars = Array.from(chars);
    var gsm = chars.every(function (ch) {
      return alphabet.basic.indexOf(ch) >= 0 || alphabet.extension.indexOf(ch) >= 0;
    });
    if (gsm) {
      return pack(chars.map(function (ch) {
        return alphabet.extension.indexOf(ch) >= 0 ? 2 : 1;
      }), 160, 153);
    }
    return pack(chars.map(function (ch) { return ch.codePointAt(0) > 0xFFFF ? 2 : 1; }), 70, 67);
  }

  function update() {
    shown.textContent = box.dataset.template
      .replace("%c", String(Array.from(box.value).length))
      .replace("%s", String(segments(box.dataset.prefix + box.value)));
  }

  box.addEventListener("input", update);
  shown.hidden = false;
  update();
})();
