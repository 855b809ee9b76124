// Login page: keep where the user was going, and say so when the last attempt failed.
const params = new URLSearchParams(location.search);
document.getElementById('next').value = params.get('next') ?? '/';
if (params.get('error')) document.getElementById('login-error').hidden = false;
