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

// The widget manager typesets labels with MathJax 2's MathJax.Hub.Queue; the book loads
// MathJax 3, which has no Hub, so a widget with a description would throw. Give whatever
// object becomes window.MathJax a small Hub that forwards to MathJax 3's typesetPromise.
(function () {
  function withHub(mj) {
    if (mj && typeof mj === "object" && !mj.Hub) {
      mj.Hub = {
        Queue: function (job) {
          var el = job && job[2];
          var m = window.MathJax;
          if (!m || !m.typesetPromise) return;
          var ready = m.startup && m.startup.promise ? m.startup.promise : Promise.resolve();
          ready.then(function () {
            return m.typesetPromise(el ? [el] : undefined);
          }).catch(function () {});
        },
      };
    }
    return mj;
  }
  var current = withHub(window.MathJax);
  try {
    Object.defineProperty(window, "MathJax", {
      configurable: true,
      get: function () {
        return current;
      },
      set: function (value) {
        current = withHub(value);
      },
    });
  } catch (e) {
    /* leave MathJax alone if the property cannot be redefined */
  }
})();
