// Starts GraphiQL against this server: queries and mutations are POSTed to /graphql, subscriptions
// go over /graphql/ws (graphql-transport-ws). The Headers tab's headers (an `Authorization:
// Bearer …` above all) travel with every HTTP request and, since a browser WebSocket cannot set
// headers, in `connection_init`'s payload, where Accord reads `authorization`.
(function () {
  'use strict';

  var httpUrl = new URL('/graphql', window.location.href).toString();
  var wsUrl = httpUrl.replace(/^http/, 'ws') + '/ws';

  // One socket per set of headers: changing the token in the Headers tab opens a new socket
  // that authenticates as the new caller.
  var socket = null;
  var socketKey = null;

  // Header names are case-insensitive; the connection_init payload uses lower-case keys.
  function lowerCaseKeys(headers) {
    var payload = {};
    Object.keys(headers).forEach(function (name) {
      payload[name.toLowerCase()] = String(headers[name]);
    });
    return payload;
  }

  function socketFor(headers) {
    var payload = lowerCaseKeys(headers);
    var key = JSON.stringify(payload);
    if (socket && socketKey === key) {
      return socket;
    }
    if (socket) {
      socket.dispose();
    }
    socketKey = key;
    socket = window.graphqlWs.createClient({
      url: wsUrl,
      lazy: true,
      connectionParams: function () {
        return payload;
      },
    });
    return socket;
  }

  // Whether the operation to run is a subscription, read from the text GraphiQL sends: the
  // parsed document it also hands the fetcher lags the editor by a debounce, so an operation
  // typed and run at once would be sent to the wrong transport. Comments and strings are blanked;
  // at the top level a definition starts with its keyword (or `{` for the query shorthand), and
  // braces inside parentheses (default values, directive arguments) open no selection set.
  function isSubscription(params) {
    var source = (params.query || '').replace(/"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n\r]*/g, ' ');
    var tokens = source.match(/[{}()@]|[_A-Za-z][_0-9A-Za-z]*/g) || [];
    var operations = [];
    var current = null;
    var braces = 0;
    var parens = 0;
    for (var i = 0; i < tokens.length; i++) {
      var token = tokens[i];
      if (token === '(') {
        parens++;
      } else if (token === ')') {
        parens--;
      } else if (parens > 0) {
        continue;
      } else if (token === '{') {
        if (braces === 0 && current === null) {
          operations.push({ kind: 'query', name: null });
        }
        braces++;
      } else if (token === '}') {
        braces--;
        if (braces === 0) {
          current = null;
        }
      } else if (braces === 0 && current === null && token !== '@') {
        current = { kind: token, name: /^[_A-Za-z]/.test(tokens[i + 1] || '') ? tokens[i + 1] : null };
        if (token !== 'fragment') {
          operations.push(current);
        }
      }
    }
    var chosen = operations.filter(function (operation) {
      return params.operationName
        ? operation.name === params.operationName
        : operations.length === 1;
    })[0];
    return Boolean(chosen) && chosen.kind === 'subscription';
  }

  function subscribe(params, headers) {
    var client = socketFor(headers);
    return {
      subscribe: function (observer) {
        var dispose = client.subscribe(
          {
            query: params.query,
            variables: params.variables,
            operationName: params.operationName,
          },
          {
            next: function (value) {
              observer.next(value);
            },
            error: function (error) {
              if (Array.isArray(error)) {
                // The server refused the operation: show its GraphQL errors as a result.
                observer.next({ errors: error });
                observer.complete();
              } else {
                observer.error(describeClose(error));
              }
            },
            complete: function () {
              observer.complete();
            },
          },
        );
        return { unsubscribe: dispose };
      },
    };
  }

  // graphql-ws reports a socket that closed as its CloseEvent.
  function describeClose(error) {
    if (error instanceof Error) {
      return error;
    }
    if (error && typeof error.code === 'number') {
      return new Error('WebSocket closed with ' + error.code + ' ' + (error.reason || ''));
    }
    return new Error(String(error));
  }

  function post(params, headers) {
    var requestHeaders = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    };
    Object.keys(headers).forEach(function (name) {
      requestHeaders[name] = String(headers[name]);
    });
    return window
      .fetch(httpUrl, {
        method: 'POST',
        headers: requestHeaders,
        body: JSON.stringify(params),
        credentials: 'same-origin',
      })
      .then(function (response) {
        return response.json();
      });
  }

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    if (isSubscription(params)) {
      return subscribe(params, headers);
    }
    return post(params, headers);
  }

  var root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: 'headers',
      shouldPersistHeaders: false,
    }),
  );
})();
