/* Document filters: with JavaScript a ticked box (or another order) applies at once; without
   it the form's "Apply filters" button does the same GET. Served as a static file: the
   Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  var STATE_KEY = "portal.filters.reopen";
  var WIDE = window.matchMedia("(min-width: 48.01rem)");

  function remember(form, control) {
    // The page reloads with the result: reopen what the reader had open and give the box
    // focus back, so choosing a second value of the same filter is one more click.
    var dropdown = control.closest("details.filter-dropdown");
    var state = {
      path: window.location.pathname,
      dropdown: dropdown ? dropdown.id : "",
      focus: control.id,
      panel: Boolean(form.closest("details.filter-panel[open]")),
    };
    try {
      window.sessionStorage.setItem(STATE_KEY, JSON.stringify(state));
    } catch (error) {
      /* storage refused (private mode): the filter still applies */
    }
  }

  function restore() {
    var state = null;
    try {
      state = JSON.parse(window.sessionStorage.getItem(STATE_KEY) || "null");
      window.sessionStorage.removeItem(STATE_KEY);
    } catch (error) {
      return;
    }
    if (!state || state.path !== window.location.pathname) return;
    var panel = document.querySelector("details.filter-panel");
    if (panel && state.panel) panel.open = true;
    var dropdown = state.dropdown && document.getElementById(state.dropdown);
    if (dropdown) dropdown.open = true;
    var control = state.focus && document.getElementById(state.focus);
    if (control) control.focus({ preventScroll: !WIDE.matches });
  }

  function showPanelOnWideScreens() {
    // portal.css shows the panel's content on wide screens; open it too, for browsers that do
    // not style a closed disclosure's content.
    var panel = document.querySelector("details.filter-panel");
    if (panel && WIDE.matches) panel.open = true;
  }

  document.querySelectorAll("form.filters").forEach(function (form) {
    form.classList.add("applies-on-change");
    form.addEventListener("change", function (event) {
      var control = event.target;
      // A date is typed in parts: the button applies it once complete.
      if (control.type === "date") return;
      remember(form, control);
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.submit();
    });
  });
  showPanelOnWideScreens();
  restore();
})();
