/**
 * @module http/status-page
 * A small self-contained HTML page that polls /status and shows it for a person. No external
 * assets: the binary serves it offline.
 */
export const statusPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sinker</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.3em}h2{font-size:1.05em;margin-top:1.5em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
.bad{color:#b00}.ok{color:#070}
</style></head><body>
<h1>sinker <span id="ready"></span></h1>
<div id="summary"></div>
<h2>Partitions</h2><table id="partitions"></table>
<h2>Tables</h2><table id="tables"></table>
<script>
function esc(v){return String(v).replace(/[&<>"]/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]})}
function table(el,rows){
  if(!rows.length){el.innerHTML='<tr><td>none</td></tr>';return}
  var keys=Object.keys(rows[0]);
  el.innerHTML='<tr>'+keys.map(function(k){return '<th>'+esc(k)+'</th>'}).join('')+'</tr>'+
    rows.map(function(r){return '<tr>'+keys.map(function(k){var v=r[k];return '<td>'+esc(v===null||v===undefined?'':typeof v==='object'?JSON.stringify(v):v)+'</td>'}).join('')+'</tr>'}).join('');
}
async function tick(){
  try{
    var s=await (await fetch('status')).json();
    var r=await fetch('ready');
    document.getElementById('ready').innerHTML=r.ok?'<span class="ok">ready</span>':'<span class="bad">not ready</span>';
    document.getElementById('summary').textContent='uptime '+Math.round(s.uptime_s)+' s, consumed '+s.consumed+', written '+s.written+', dead-lettered '+s.dead_lettered+', in flight '+s.inflight_bytes+' bytes';
    table(document.getElementById('partitions'),s.partitions||[]);
    table(document.getElementById('tables'),s.tables||[]);
  }catch(e){document.getElementById('ready').innerHTML='<span class="bad">unreachable</span>'}
}
tick();setInterval(tick,2000);
</script></body></html>
`
