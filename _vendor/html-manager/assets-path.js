// Loaded before require.js and embed-amd.js on pages with saved widget state.
// The html-manager bundle derives the URL of its font files from the module
// URIs that RequireJS computes, which default to paths relative to the page.
// Point them at this folder instead (the bundle and its fonts live here).
(function () {
  var base = document.currentScript.src.replace(/[^/]*$/, "");
  var dir = base.replace(/\/$/, "");
  window.__jupyter_widgets_assets_path__ = base;
  // A global `require` object defined before require.js loads is its config.
  window.require = {
    paths: {
      "@jupyter-widgets/html-manager/dist": dir,
      "@jupyter-widgets": dir,
    },
  };
})();
