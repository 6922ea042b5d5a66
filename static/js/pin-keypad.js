// The keypad types into the PIN box itself: a tap makes no request, so a slow line loses no digit, and the PIN
// is sent once, with Enter. Without JavaScript the keypad stays hidden and the box is typed into directly.
document.querySelectorAll(".keypad[data-for]").forEach(function (pad) {
  var box = document.getElementById(pad.dataset.for);
  pad.hidden = false;
  pad.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || button.type === "submit") return;
    if (button.dataset.digit !== undefined) {
      if (box.value.length < box.maxLength) box.value += button.dataset.digit;
    } else if (button.hasAttribute("data-erase")) {
      box.value = box.value.slice(0, -1);
    }
  });
});
