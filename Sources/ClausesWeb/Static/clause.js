// The clause form shows only the chosen calibration mode's data. Without this script every mode's
// fieldset shows and the server still reads only the chosen one.
(function () {
  const mode = document.getElementById("f-mode");
  if (!mode) return;
  const groups = document.querySelectorAll("fieldset[data-group]");
  const show = () => groups.forEach((group) => { group.hidden = group.dataset.group !== mode.value; });
  mode.addEventListener("change", show);
  show();
})();
