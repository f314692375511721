// Formulas in the search page's excerpts. Sphinx cuts each excerpt as text from its page, TeX and
// all (`\(\frac{\partial L}{\partial w}\)`); MathJax, served with the site, typesets them once
// they have arrived. A formula the cut splits in two stays as text.
(() => {
  let typeset = 0; // how many excerpts have been typeset
  const start = () => {
    const results = document.getElementById("search-results");
    if (!results) return;
    let waiting = null;
    const excerpts = () => results.querySelectorAll("p.context");
    new MutationObserver(() => {
      if (waiting || excerpts().length === typeset) return;
      waiting = setTimeout(() => {
        waiting = null;
        const all = [...excerpts()];
        const fresh = all.slice(typeset);
        typeset = all.length;
        if (window.MathJax?.typesetPromise) MathJax.typesetPromise(fresh).catch(() => {});
      }, 200);
    }).observe(results, { childList: true, subtree: true });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
