// Search results with excerpts when the site is opened from disk (file://). Sphinx's search page
// reads each excerpt by fetching the page it comes from, which a browser refuses for file://
// URLs; there, this answers those fetches from _static/page_texts.js, the main text of every
// page, which site/conf.py writes when it builds the site. Served over http(s), it does nothing.
(() => {
  if (window.location.protocol !== "file:") return;
  const texts = new URL("page_texts.js", document.currentScript.src);
  const root = new URL("..", texts).href; // the site's folder: _static/ is in it
  let loaded = null;
  const pages = () => {
    loaded ??= new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = texts.href;
      script.onload = () => resolve(window.bpLessonsPageTexts);
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return loaded;
  };
  const fetchFromNetwork = window.fetch.bind(window);
  window.fetch = (resource, options) => {
    const url = new URL(resource instanceof Request ? resource.url : resource, document.baseURI);
    const page = url.href.startsWith(root) ? url.href.slice(root.length).split("#")[0] : null;
    if (url.protocol !== "file:" || !page || !page.endsWith(".html")) {
      return fetchFromNetwork(resource, options);
    }
    return pages().then((all) =>
      page in all
        ? new Response(all[page], { headers: { "Content-Type": "text/html" } })
        : new Response("", { status: 404 }),
    );
  };
})();
