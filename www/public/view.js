// Runs before the page is first laid out (a small blocking script in <head>): marks the root
// element with the view the link asks for (embed, lecture, tour), so that the page is laid out in
// that view from its first paint instead of painting the full layout and collapsing it.
// app.js sets the same classes from the parsed settings (state.js), which decide.
(() => {
  try {
    const q = new URLSearchParams(window.location.search);
    const value = (key) => String(q.get(key) || '').normalize('NFKC').trim();
    const embed = ['1', 'true', 'yes'].includes(value('embed'));
    const root = document.documentElement;
    root.classList.toggle('embed', embed);
    root.classList.toggle('lecture', !embed && value('mode') === 'lecture');
    root.classList.toggle('tour', /^[1-9]$/.test(value('tour')));
  } catch {
    // An unreadable link: app.js reports it and picks the view.
  }
})();
