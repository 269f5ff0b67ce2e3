// Renders every element with data-chart="<id of a JSON script>" as an ECharts chart, in Chinese.
(function () {
  function render(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source || !window.echarts) return;
      var chart = echarts.init(el, null, { locale: "ZH", renderer: "canvas" });
      chart.setOption(JSON.parse(source.textContent));
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { render(); });
  document.addEventListener("htmx:afterSettle", function (e) { render(e.target); });
})();
