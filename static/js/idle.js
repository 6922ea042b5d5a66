// Signs the workspace out on screen when nobody has used it for a while, and keeps the session alive on
// the server while someone is working (typing a long description makes no requests). A warning comes
// first, with a button to stay. Without JavaScript, a <noscript> refresh does the signing out instead.
(function () {
  var idle = Number(document.body.dataset.idle) * 1000;
  var warning = document.getElementById("idle-warning");
  if (!idle || !warning) return;
  var warnFor = Math.min(60000, idle / 4);
  var PING_EVERY = Math.min(30000, idle / 3);
  var lastActive = Date.now();
  var lastPing = Date.now();

  function signOut() { window.location.assign("/taller?idle=1"); }

  function ping() {
    lastPing = Date.now();
    fetch("/taller/latido", { credentials: "same-origin", cache: "no-store", redirect: "manual" })
      .then(function (response) { if (response.status !== 204) signOut(); })
      .catch(function () {});
  }

  function active() {
    lastActive = Date.now();
    if (!warning.hidden) warning.hidden = true;
    if (lastActive - lastPing >= PING_EVERY) ping();
  }

  ["pointerdown", "keydown", "input", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, active, { passive: true, capture: true });
  });
  document.getElementById("idle-stay").addEventListener("click", function () { active(); ping(); });

  setInterval(function () {
    var quiet = Date.now() - lastActive;
    if (quiet >= idle) signOut();
    else if (quiet >= idle - warnFor && warning.hidden) {
      warning.hidden = false;
      document.getElementById("idle-stay").focus();
    }
  }, 1000);
})();
