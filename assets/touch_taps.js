// Touches on a Plotly chart go to the browser, not to Plotly.
//
// Plotly answers a tap from its own touch handlers, and they pick the point from the
// hover data of the pointer's *previous* position: touch has no hover, so the first tap
// selects nothing and every later tap selects the point tapped before. Streamlit also
// replaces a figure's `dragmode: false` with "pan", so Plotly cancels every touch that
// starts on a chart and a swipe over it cannot scroll the page.
//
// Stopping touch events on their way down to the chart fixes both at once: a swipe is
// left to the browser, which scrolls, and a tap becomes the mouse events browsers
// synthesise for it (mousemove, mousedown, mouseup, click at the finger), which Plotly
// handles exactly like a mouse click on the point under the finger.
export default function () {
  if (window.__atlasTouchTaps) return;
  window.__atlasTouchTaps = true;
  const keepFromPlotly = (event) => {
    const target = event.target;
    if (target instanceof Element && target.closest(".js-plotly-plot")) {
      event.stopPropagation();
    }
  };
  for (const type of ["touchstart", "touchmove", "touchend", "touchcancel"]) {
    document.addEventListener(type, keepFromPlotly, { capture: true, passive: true });
  }
}
