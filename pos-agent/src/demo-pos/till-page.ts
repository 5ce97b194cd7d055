// The web till: one self-contained page (inline CSS and JS, no build step). All server text is rendered with
// textContent, never innerHTML, so a product name or an error message can not inject markup.
// The CSP allows exactly this page's inline script and style (by hash) and same-origin fetches.

import { createHash } from 'node:crypto';

const STYLE = `
:root { --ink: #1d2430; --muted: #5b6675; --line: #d9dee5; --accent: #0b6bcb; --bad: #b42318; --good: #067647; --bg: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { display: flex; gap: 16px; align-items: center; padding: 12px 20px; background: #101828; color: #fff; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0 auto 0 0; }
header label { font-size: 13px; display: flex; gap: 6px; align-items: center; }
select, input, button { font: inherit; }
main { display: grid; grid-template-columns: minmax(0, 2fr) minmax(280px, 1fr); gap: 16px; padding: 16px 20px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px; }
h2 { font-size: 15px; margin: 0 0 10px; }
#products { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; }
.product { text-align: left; border: 1px solid var(--line); border-radius: 8px; background: #fff; padding: 10px; cursor: pointer; min-height: 92px; }
.product:hover { border-color: var(--accent); }
.product .name { font-weight: 600; display: block; }
.product .price { display: block; margin-top: 6px; font-size: 17px; }
.product .stock { display: block; color: var(--muted); font-size: 12px; }
.product.unpriced .price { color: var(--bad); }
#cart { list-style: none; margin: 0; padding: 0; }
#cart li { display: flex; justify-content: space-between; gap: 8px; padding: 6px 0; border-bottom: 1px solid var(--line); }
#cart li button { border: 0; background: none; color: var(--bad); cursor: pointer; }
.total { display: flex; justify-content: space-between; font-weight: 700; margin: 10px 0; }
.primary { width: 100%; padding: 10px; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer; }
.primary:disabled { opacity: .5; cursor: default; }
#result { margin-top: 12px; padding: 10px; border-radius: 6px; display: none; white-space: pre-wrap; }
#result.ok { display: block; background: #ecfdf3; color: var(--good); }
#result.error { display: block; background: #fef3f2; color: var(--bad); }
#scenarios-section { grid-column: 1 / -1; }
.scenario-tools { display: flex; gap: 12px; align-items: center; margin-bottom: 10px; flex-wrap: wrap; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 5px 6px; border-bottom: 1px solid var(--line); }
td.sev-critical { color: var(--bad); font-weight: 700; }
td.sev-high { color: #c4320a; }
td.sev-medium { color: #b54708; }
td.sev-low { color: var(--muted); }
td button { font-size: 12px; }
#scenario-status { color: var(--muted); }
@media (max-width: 800px) { main { grid-template-columns: 1fr; } }
`;

const SCRIPT = `
(function () {
  'use strict';
  var cart = new Map();
  var products = [];

  function $(id) { return document.getElementById(id); }
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function money(cents) { return cents === null ? '\\u2014' : '$' + (cents / 100).toFixed(2); }
  function selection() { return { storeId: $('store').value, kioskId: $('kiosk').value }; }

  function showResult(ok, text) {
    var box = $('result');
    box.className = ok ? 'ok' : 'error';
    box.textContent = text;
  }

  async function call(method, path, body) {
    var response = await fetch(path, {
      method: method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    var payload = null;
    try { payload = await response.json(); } catch (e) { payload = null; }
    return { status: response.status, payload: payload };
  }

  function renderProducts() {
    var grid = $('products');
    grid.replaceChildren();
    products.forEach(function (product) {
      var button = el('button', undefined, 'product' + (product.priceCents === null ? ' unpriced' : ''));
      button.type = 'button';
      button.appendChild(el('span', product.name, 'name'));
      button.appendChild(el('span', money(product.priceCents), 'price'));
      button.appendChild(el('span', 'Item ' + product.id + ' \\u00b7 ' + product.stock + ' in stock', 'stock'));
      button.addEventListener('click', function () {
        cart.set(product.id, (cart.get(product.id) || 0) + 1);
        renderCart();
      });
      grid.appendChild(button);
    });
  }

  function renderCart() {
    var list = $('cart');
    list.replaceChildren();
    var total = 0;
    var unpriced = false;
    cart.forEach(function (quantity, productId) {
      var product = products.find(function (p) { return p.id === productId; });
      var name = product ? product.name : productId;
      var price = product ? product.priceCents : null;
      if (price === null) unpriced = true; else total += price * quantity;
      var row = el('li');
      row.appendChild(el('span', quantity + ' \\u00d7 ' + name));
      row.appendChild(el('span', price === null ? '\\u2014' : money(price * quantity)));
      var remove = el('button', '\\u2715');
      remove.type = 'button';
      remove.title = 'Remove';
      remove.addEventListener('click', function () { cart.delete(productId); renderCart(); });
      row.appendChild(remove);
      list.appendChild(row);
    });
    $('total').textContent = money(total) + (unpriced ? ' + unpriced items' : '');
    $('checkout').disabled = cart.size === 0;
  }

  async function loadProducts() {
    var answer = await call('GET', '/api/products');
    if (answer.status !== 200 || !answer.payload) { showResult(false, 'Could not load products (HTTP ' + answer.status + ')'); return; }
    products = answer.payload.items;
    renderProducts();
    renderCart();
  }

  async function checkout() {
    var items = [];
    cart.forEach(function (quantity, productId) { items.push({ productId: productId, quantity: quantity }); });
    var sel = selection();
    $('checkout').disabled = true;
    try {
      var answer = await call('POST', '/api/orders', { storeId: sel.storeId, kioskId: sel.kioskId, items: items });
      if (answer.status === 201 && answer.payload && answer.payload.order) {
        var order = answer.payload.order;
        showResult(true, 'Order ' + order.id + ' completed \\u2014 total ' + money(order.totalCents));
        cart.clear();
      } else if (answer.payload && answer.payload.error) {
        showResult(false, answer.payload.error.code + ': ' + answer.payload.error.message);
      } else {
        showResult(false, 'Unexpected answer (HTTP ' + answer.status + ')');
      }
    } catch (error) {
      showResult(false, 'Till offline: ' + String(error && error.message || error));
    }
    await loadProducts();
  }

  async function loadScenarios() {
    var answer = await call('GET', '/api/scenarios');
    var body = $('scenario-rows');
    body.replaceChildren();
    if (answer.status !== 200 || !answer.payload) { $('scenario-status').textContent = 'Could not load scenarios'; return; }
    answer.payload.items.forEach(function (scenario) {
      var row = el('tr');
      row.appendChild(el('td', scenario.title));
      row.appendChild(el('td', scenario.code));
      row.appendChild(el('td', scenario.category));
      row.appendChild(el('td', scenario.severity, 'sev-' + scenario.severity));
      var cell = el('td');
      var button = el('button', 'Trigger');
      button.type = 'button';
      button.addEventListener('click', function () { trigger(scenario.name); });
      cell.appendChild(button);
      row.appendChild(cell);
      body.appendChild(row);
    });
    $('scenario-status').textContent = answer.payload.items.length + ' scenarios';
  }

  async function trigger(name) {
    var sel = selection();
    var count = Number($('scenario-count').value) || 1;
    var answer = await call('POST', '/api/scenarios/' + encodeURIComponent(name) + '/trigger', { storeId: sel.storeId, kioskId: sel.kioskId, count: count });
    if (answer.status === 202 && answer.payload) {
      $('scenario-status').textContent = 'Logged ' + answer.payload.triggered + ' \\u00d7 ' + answer.payload.name + ' at ' + sel.storeId + '/' + sel.kioskId;
    } else {
      $('scenario-status').textContent = answer.payload && answer.payload.error ? answer.payload.error.code + ': ' + answer.payload.error.message : 'HTTP ' + answer.status;
    }
  }

  $('checkout').addEventListener('click', checkout);
  $('clear').addEventListener('click', function () { cart.clear(); renderCart(); });
  loadProducts();
  loadScenarios();
})();
`;

function options(values: readonly string[]): string {
  return values.map((value) => `<option>${value}</option>`).join('');
}

export const TILL_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo POS till</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>Demo POS till</h1>
  <label>Store <select id="store">${options(['store-001', 'store-002', 'store-003'])}</select></label>
  <label>Kiosk <select id="kiosk">${options(['kiosk-01', 'kiosk-02', 'kiosk-03', 'kiosk-04'])}</select></label>
</header>
<main>
  <section>
    <h2>Products</h2>
    <div id="products"></div>
  </section>
  <section>
    <h2>Cart</h2>
    <ul id="cart"></ul>
    <div class="total"><span>Total</span><span id="total">$0.00</span></div>
    <button id="checkout" class="primary" type="button" disabled>Checkout</button>
    <p><button id="clear" type="button">Clear cart</button></p>
    <div id="result" role="status"></div>
  </section>
  <section id="scenarios-section">
    <h2>Scenarios</h2>
    <div class="scenario-tools">
      <label>Occurrences per trigger <input id="scenario-count" type="number" min="1" max="1000" value="1"></label>
      <span id="scenario-status" role="status"></span>
    </div>
    <table>
      <thead><tr><th>Scenario</th><th>Code</th><th>Category</th><th>Severity</th><th></th></tr></thead>
      <tbody id="scenario-rows"></tbody>
    </table>
  </section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export const TILL_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
