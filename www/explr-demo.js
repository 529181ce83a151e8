// <explr-demo> custom element: embeds the demo in an iframe whose URL mirrors the element's
// attributes (the same names as the URL parameters), and follows the frame's height. A plain
// script (no imports, no import.meta): a blog can load it with <script src> from the demo's
// host, on any origin, with no CORS headers.

// In its own scope: loading the script twice defines nothing twice.
(() => {
  /** Where this script was loaded from: the demo's index.html is beside it. */
  const SCRIPT_URL = (document.currentScript && document.currentScript.src)
    || (document.querySelector('script[src*="explr-demo"]') || {}).src
    || document.baseURI;
  /** The page's URL keys (controls.js `embedParams`, written in by the build). */
  // eslint-disable-next-line no-undef
  const PARAMS = __EXPLR_PARAMS__;

  class ExplrDemo extends HTMLElement {
    static get observedAttributes() {
      return [...PARAMS, 'src'];
    }

    connectedCallback() {
      if (!this.frame) {
        this.frame = document.createElement('iframe');
        this.frame.title = 'explr: weight decay as an exponential learning rate';
        this.frame.style.cssText = 'width:100%;border:0;min-height:480px;display:block';
        this.frame.setAttribute('loading', 'lazy');
        this.append(this.frame);
        this.onMessage = (e) => {
          if (e.source === this.frame.contentWindow && e.data && e.data.type === 'explr:height') {
            this.frame.style.height = `${Math.ceil(e.data.height)}px`;
          }
        };
      }
      // Every time it is (re)attached: an element moved in the page is disconnected first.
      window.addEventListener('message', this.onMessage);
      this.update();
    }

    disconnectedCallback() {
      window.removeEventListener('message', this.onMessage);
    }

    attributeChangedCallback() {
      if (this.frame) this.update();
    }

    update() {
      const base = this.getAttribute('src') || new URL('./index.html', SCRIPT_URL).href;
      const url = new URL(base, document.baseURI);
      url.searchParams.set('embed', '1');
      for (const p of PARAMS) {
        const v = this.getAttribute(p);
        if (v !== null) url.searchParams.set(p, v);
      }
      if (this.frame.src !== url.href) this.frame.src = url.href;
    }
  }

  if (!customElements.get('explr-demo')) customElements.define('explr-demo', ExplrDemo);
})();
