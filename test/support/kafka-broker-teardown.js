module.exports = require('./kafka-broker').teardown;
