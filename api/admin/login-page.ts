/** The operators' sign-in form: plain HTML, no script (helmet's CSP allows inline styles only). */
export function loginPage(): string {
  return `<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gavel 운영자 로그인</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 22rem; margin: 3rem auto; padding: 0 1rem; }
  label { display: block; margin-top: 1rem; }
  input { width: 100%; padding: .5rem; box-sizing: border-box; font-size: 1rem; }
  button { margin-top: 1.5rem; width: 100%; padding: .6rem; font-size: 1rem; }
</style>
</head>
<body>
<h1>운영자 로그인 <small>(Operators)</small></h1>
<p>관리자 계정만 로그인할 수 있습니다. Admin accounts only.</p>
<form method="post" action="/admin/login">
  <label>전화번호 (phone, +8210…) <input name="phone" type="tel" autocomplete="username" required placeholder="+821012345678"></label>
  <label>비밀번호 (password) <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">로그인</button>
</form>
<form method="post" action="/admin/logout"><button type="submit">로그아웃 (log out)</button></form>
</body>
</html>
`;
}
