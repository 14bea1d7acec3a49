// After a refused form the server answers the POST with the form again; put the form's own
// address back in the address bar (a reload then shows the form rather than posting again).
"use strict";
(function () {
  const url = document.body.dataset.formPageUrl;
  if (url && url.startsWith("/")) {
    window.history.replaceState(null, "", url);
  }
})();
