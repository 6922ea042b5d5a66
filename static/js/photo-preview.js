// Shows the photos a member has chosen before they are uploaded. The form works the same without it.
document.querySelectorAll("input[type=file][data-preview]").forEach(function (input) {
  var box = document.getElementById(input.dataset.preview);
  input.addEventListener("change", function () {
    box.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
    box.replaceChildren();
    Array.prototype.forEach.call(input.files, function (file) {
      if (!file.type.startsWith("image/")) return;
      var img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = file.name;
      box.appendChild(img);
    });
    box.hidden = box.children.length === 0;
  });
});
