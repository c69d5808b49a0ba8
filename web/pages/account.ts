import { api, problemText } from '../api.ts';
import { append, fieldsOf, h } from '../dom.ts';
import { session } from '../session.ts';

/** 010-1234-5678 as E.164 (+821012345678); a number already in E.164 is sent as typed. */
export function toE164(phone: string): string {
  const digits = phone.replace(/[\s-]/g, '');
  return digits.startsWith('0') ? `+82${digits.slice(1)}` : digits;
}

const field = (label: string, attributes: Record<string, string | boolean>) => h('label', {}, label, h('input', attributes));

/**
 * Sign-up (#/signup) in the contract's order: the phone first (a 6-digit code by SMS, traded for a
 * verification token), then the nickname and password with that token.
 */
export function signUpPage(root: HTMLElement): void {
  let verificationId = '';
  let verificationToken = '';
  let phone = '';
  const error = h('p', { class: 'error', role: 'alert' });
  const fail = (e: unknown) => {
    error.textContent = problemText(e);
  };

  const phoneForm = h('form', { id: 'signup-phone', onsubmit: async (event: Event) => {
    event.preventDefault();
    error.textContent = '';
    phone = toE164(fieldsOf(phoneForm).phone ?? '');
    try {
      verificationId = (await api('post', '/v1/auth/phone-verifications', { body: { phone } })).id;
      codeForm.hidden = false;
      codeForm.querySelector('input')?.focus();
    } catch (e) {
      fail(e);
    }
  } },
  field('휴대폰 번호', { name: 'phone', type: 'tel', autocomplete: 'tel', required: true, placeholder: '010-1234-5678' }),
  h('button', { type: 'submit' }, '인증번호 받기'));

  const codeForm = h('form', { id: 'signup-code', hidden: true, onsubmit: async (event: Event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      verificationToken = (await api('post', '/v1/auth/phone-verifications/{id}/confirm', { path: { id: verificationId }, body: { code: fieldsOf(codeForm).code ?? '' } })).verificationToken;
      phoneForm.hidden = true;
      codeForm.hidden = true;
      accountForm.hidden = false;
    } catch (e) {
      fail(e);
    }
  } },
  field('문자로 받은 인증번호 6자리', { name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', required: true }),
  h('button', { type: 'submit' }, '확인'));

  const accountForm = h('form', { id: 'signup-account', hidden: true, onsubmit: async (event: Event) => {
    event.preventDefault();
    error.textContent = '';
    const { nickname = '', password = '' } = fieldsOf(accountForm);
    try {
      session.start(await api('post', '/v1/auth/signup', { body: { phone, password, nickname, verificationToken } }));
      location.hash = '#/';
    } catch (e) {
      fail(e);
    }
  } },
  h('p', { class: 'notice' }, '휴대폰 인증이 끝났습니다.'),
  field('닉네임 (2~20자)', { name: 'nickname', required: true, minlength: '2', maxlength: '20', autocomplete: 'nickname' }),
  field('비밀번호', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' }),
  h('button', { type: 'submit' }, '가입하기'));

  append(root, h('h1', {}, '회원가입'), phoneForm, codeForm, accountForm, error, h('p', {}, '이미 계정이 있나요? ', h('a', { href: '#/signin' }, '로그인')));
}

/** Sign-in (#/signin?next=/auctions/<id>) with phone and password; then back to `next`. */
export function signInPage(root: HTMLElement, _params: string[], query: URLSearchParams): void {
  const next = query.get('next') ?? '/';
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { id: 'signin', onsubmit: async (event: Event) => {
    event.preventDefault();
    error.textContent = '';
    const { phone = '', password = '' } = fieldsOf(form);
    try {
      session.start(await api('post', '/v1/auth/login', { body: { phone: toE164(phone), password } }));
      // Only a path of this page: `next` must not send anyone elsewhere.
      location.hash = `#${next.startsWith('/') ? next : '/'}`;
    } catch (e) {
      error.textContent = problemText(e);
    }
  } },
  field('휴대폰 번호', { name: 'phone', type: 'tel', autocomplete: 'username', required: true, placeholder: '010-1234-5678' }),
  field('비밀번호', { name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
  h('button', { type: 'submit' }, '로그인'));
  append(root, h('h1', {}, '로그인'), form, error, h('p', {}, '처음이세요? ', h('a', { href: '#/signup' }, '회원가입')));
}
