// Enhancements only: every page works without this file.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
document.querySelectorAll("[data-copy]").forEach(function (button) {
  var field = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById(button.getAttribute("aria-describedby"));
  if (!field || !navigator.clipboard) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(function () {
      status.textContent = button.getAttribute("data-done");
    });
  });
});
// Wide screens have room for the filter menus: open them (without this, one click does).
if (window.matchMedia("(min-width: 56rem)").matches) {
  document.querySelectorAll("details.filter-more").forEach(function (panel) { panel.open = true; });
}
// A filter left at 全部 need not be in the address: shared links stay short.
document.querySelectorAll("form.filters").forEach(function (form) {
  form.addEventListener("submit", function () {
    var left = [];
    form.querySelectorAll("input[name], select[name]").forEach(function (field) {
      if (field.value === "" && !field.disabled) { field.disabled = true; left.push(field); }
    });
    // The request has its fields by now: usable again if the person stops it or comes back.
    setTimeout(function () { left.forEach(function (field) { field.disabled = false; }); }, 0);
  });
});
