"""Windows Certificate Services, simulated on top of the lab's CA: templates, requests, approval, web enrollment.

The guide's second way to get a certificate is the web enrollment site of a
Windows CA (``http://<server>/certsrv``). This room rebuilds that flow on the
lab's own CA folder, so ``openssl ca`` keeps working on the same directory:

- ``templates``: certificate templates as data (built in, and a site file
  ``ca_conf/templates.ini`` that the user edits);
- ``pkcs10``: certificate requests (made here, or by ``openssl req``), read and checked;
- ``database``: the request database ``ca_conf/certsrv_requests.json``;
- ``enroll``: the CA's policy (what comes from the request, what from the
  template), submit, issue, deny;
- ``browser``: the browser's machine (where the key pair is made and where
  "Install this certificate" puts the certificate);
- ``web``: the web enrollment pages.

Each simulated rule names the Microsoft document it follows; where the
documentation is silent the code says so.
"""
