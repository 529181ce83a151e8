// The page's messages (#messages): errors and notices in plain words, each dismissable.

/**
 * Shows a message; kind is 'error' or 'notice'. A message already shown is not repeated, and
 * a new one on the same `topic` (e.g. 'engine') replaces the old one.
 */
export function message(text, kind = 'notice', topic = '') {
  const box = document.getElementById('messages');
  for (const old of [...box.children]) {
    if (old.dataset.text === text || (topic && old.dataset.topic === topic)) old.remove();
  }
  const p = document.createElement('p');
  p.className = kind;
  p.dataset.text = text;
  p.dataset.topic = topic;
  p.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = '×';
  close.setAttribute('aria-label', 'dismiss');
  close.onclick = () => p.remove();
  p.append(close);
  box.append(p);
  while (box.children.length > 8) box.firstChild.remove();
}
